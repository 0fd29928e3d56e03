import { scriptedAgent, type ScriptedAgentOptions } from './scripted-agent.ts';
import type { ScriptedReply, ScriptHandler } from './scripted-anthropic.ts';

/** A promise a test settles when it is done looking: `hold` a scripted session until then. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/**
 * One scripted model server, several scripted agents: each build picks its agent by the model
 * name it was started with (the New build form's Model field), so each keeps its own session
 * count and hold, however the builds interleave.
 */
export function agentsByModel(agents: Record<string, ScriptHandler>, fallback: ScriptHandler): ScriptHandler {
  return (req, callIndex) => (agents[String(req.body.model)] ?? fallback)(req, callIndex);
}

export interface CategorisedFeature {
  category: string;
  description: string;
  steps: string[];
}

/**
 * The scripted agent, with an initializer that plans features in several categories (the
 * checklist groups them). Coding sessions are the scripted agent's: one more feature each.
 */
export function categorisedAgent(features: CategorisedFeature[], opts: Omit<ScriptedAgentOptions, 'features'> = {}): ScriptHandler {
  const agent = scriptedAgent({ ...opts, features: features.length });
  return (req, callIndex) => {
    const messages = req.body.messages as Array<{ content: unknown }>;
    const first = messages[0]?.content;
    const prompt = typeof first === 'string' ? first : JSON.stringify(first);
    if (messages.length === 1 && prompt.includes('FIRST session')) return planReply(features);
    return agent(req, callIndex);
  };
}

function planReply(features: CategorisedFeature[]): ScriptedReply {
  const json = JSON.stringify(features.map((f) => ({ ...f, passes: false })), null, 2);
  const command = `cat > feature_list.json <<'JSON'\n${json}\nJSON\necho 'initialized' > claude-progress.txt && git add -A && git commit -qm 'Plan the features' && echo committed`;
  return {
    content: [
      { type: 'text', text: 'I have read the spec. I will plan the features in feature_list.json and commit.' },
      { type: 'tool_use', name: 'bash', input: { command } },
    ],
    usage: { input_tokens: 2400, output_tokens: 380 },
  };
}
