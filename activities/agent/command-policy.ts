/**
 * Commands the harness refuses before they reach the sandbox. This is a courtesy to the agent
 * (it learns at once that a command is off limits and carries on), not the security boundary:
 * the sandbox is. Patterns are matched against the whole command text.
 */
export interface DenyRule {
  pattern: RegExp;
  reason: string;
}

export const DEFAULT_DENY_RULES: DenyRule[] = [
  { pattern: /\brm\s+(?:-[a-zA-Z-]+\s+)*-[a-zA-Z]*[rR][a-zA-Z]*\s+(?:-[a-zA-Z-]+\s+)*(?:\/|\/\*|~|\$HOME)(?:\s|;|&|\||$)/, reason: 'recursive delete of / or the home folder' },
  { pattern: /:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;?\s*:/, reason: 'a fork bomb' },
  { pattern: /(?:^|[;&|(`]|\$\()\s*(?:sudo\s+)?(?:shutdown|reboot|halt|poweroff|init\s+[06])\b/, reason: 'shutting the machine down' },
  { pattern: /\bmkfs(?:\.\w+)?\b/, reason: 'formatting a file system' },
  { pattern: /\bdd\b[^\n]*\bof=\/dev\/(?:sd|hd|vd|nvme|xvd|disk)/, reason: 'writing to a raw disk' },
];

export class CommandPolicy {
  constructor(private readonly rules: DenyRule[] = DEFAULT_DENY_RULES) {}

  /** Extra rules from configuration: an array of regular expression sources. */
  static withExtraPatterns(patterns: string[]): CommandPolicy {
    return new CommandPolicy([...DEFAULT_DENY_RULES, ...patterns.map((p) => ({ pattern: new RegExp(p), reason: `matches the configured rule /${p}/` }))]);
  }

  /** Why the command is refused, or null when it may run. */
  check(command: string): string | null {
    return this.rules.find((r) => r.pattern.test(command))?.reason ?? null;
  }
}
