import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; known secrets are masked wherever they would appear. */
export function createLogger(level: string, secrets: string[] = []): Logger {
  const masked = secrets.filter((s) => s.length >= 8);
  return pino({
    level,
    base: undefined,
    redact: { paths: ['apiKey', '*.apiKey', 'password', '*.password', 'headers.authorization', 'headers.cookie', 'token'], censor: '[REDACTED]' },
    hooks: {
      streamWrite: (line) => masked.reduce((out, secret) => out.split(secret).join('[REDACTED]'), line),
    },
  });
}
