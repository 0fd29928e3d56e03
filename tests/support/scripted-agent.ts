import type { ScriptedError, ScriptedReply, ScriptedRequest, ScriptHandler } from './scripted-anthropic.ts';

/**
 * A deterministic stand-in for Claude that behaves like the harness expects: the initializer
 * session writes feature_list.json with `features` failing features and commits; every coding
 * session flips the first failing feature to passing and commits; each ends its turn after
 * seeing its tool result. `hold` lets a test stall a chosen session to act mid-build.
 */
export interface ScriptedAgentOptions {
  features: number;
  /** Delay the first reply of coding session N (1-based among coding sessions) by `ms`, or until `until` settles. */
  hold?: { codingSession: number; ms?: number; until?: Promise<unknown> };
  /** Coding sessions (1-based) that do nothing useful: they look around and stop without passing a feature. */
  idleSessions?: number[];
  /** Coding sessions (1-based) whose first request fails with this API error. */
  failSessions?: { sessions: number[]; status: number; type: string };
}

export function scriptedAgent(opts: ScriptedAgentOptions): ScriptHandler & { sessions: () => number } {
  let sessions = 0;
  let codingSessions = 0;
  const handler = async (req: ScriptedRequest): Promise<ScriptedReply | ScriptedError> => {
    const messages = req.body.messages as Array<{ role: string; content: unknown }>;
    const prompt = String(typeof messages[0]?.content === 'string' ? messages[0].content : JSON.stringify(messages[0]?.content));
    const initializer = prompt.includes('FIRST session');
    if (messages.length > 1) {
      return { content: [{ type: 'text', text: 'Done for this session; progress committed.' }], usage: { input_tokens: 1200, output_tokens: 40 } };
    }
    sessions += 1;
    if (initializer) {
      return {
        content: [
          { type: 'text', text: 'I will write the feature list.' },
          { type: 'tool_use', name: 'bash', input: { command: initializerCommand(opts.features) } },
        ],
        usage: { input_tokens: 1000, output_tokens: 200 },
      };
    }
    codingSessions += 1;
    if (opts.failSessions?.sessions.includes(codingSessions)) {
      return { status: opts.failSessions.status, type: opts.failSessions.type, message: `scripted failure of coding session ${codingSessions}` };
    }
    const held = opts.hold?.codingSession === codingSessions;
    if (held && opts.hold?.until) await opts.hold.until;
    const delayMs = held ? opts.hold?.ms : undefined;
    const idle = opts.idleSessions?.includes(codingSessions);
    return {
      content: [{ type: 'tool_use', name: 'bash', input: { command: idle ? 'git log --oneline | head -5' : FLIP_NEXT_FEATURE } }],
      usage: { input_tokens: 1100, output_tokens: 120 },
      delayMs,
    };
  };
  return Object.assign(handler, { sessions: () => sessions });
}

export function initializerCommand(count: number): string {
  const features = Array.from({ length: count }, (_, i) => ({
    category: 'functional',
    description: `Feature ${i + 1} works`,
    steps: [`Open the app`, `Use feature ${i + 1}`, `See it work`],
    passes: false,
  }));
  const json = JSON.stringify(features, null, 2);
  return `cat > feature_list.json <<'JSON'\n${json}\nJSON\necho 'initialized' > claude-progress.txt && git add -A && git commit -qm 'Initial setup' && echo committed`;
}

export const FLIP_NEXT_FEATURE =
  `sed -i '0,/"passes": false/s//"passes": true/' feature_list.json && echo "implemented one more feature" >> claude-progress.txt && git add -A && git commit -qm 'Implement next feature' && grep -c '"passes": true' feature_list.json`;
