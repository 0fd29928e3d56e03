import type { ScriptedReply, ScriptedRequest, ScriptHandler } from './scripted-anthropic.ts';

/**
 * A deterministic stand-in for Claude that behaves like the harness expects: the initializer
 * session writes feature_list.json with `features` failing features and commits; every coding
 * session flips the first failing feature to passing and commits; each ends its turn after
 * seeing its tool result. `hold` lets a test stall a chosen session to act mid-build.
 */
export interface ScriptedAgentOptions {
  features: number;
  /** Delay the first reply of coding session N (1-based among coding sessions) by this long. */
  hold?: { codingSession: number; ms: number };
}

export function scriptedAgent(opts: ScriptedAgentOptions): ScriptHandler & { sessions: () => number } {
  let sessions = 0;
  let codingSessions = 0;
  const handler = (req: ScriptedRequest): ScriptedReply => {
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
    const delayMs = opts.hold && opts.hold.codingSession === codingSessions ? opts.hold.ms : undefined;
    return {
      content: [{ type: 'tool_use', name: 'bash', input: { command: FLIP_NEXT_FEATURE } }],
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
