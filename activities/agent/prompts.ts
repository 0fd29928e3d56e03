import { readFileSync } from 'node:fs';

// Prompts are text files next to this module so they can be read and reviewed as prose.
const dir = new URL('./prompts/', import.meta.url);
const load = (name: string) => readFileSync(new URL(`${name}.md`, dir), 'utf8');
const templates = { system: load('system'), initializer: load('initializer'), coding: load('coding') };

export type PromptName = keyof typeof templates;

/** Fills `{{name}}` placeholders; an unknown placeholder is an error, not a silent blank. */
export function renderPrompt(name: PromptName, params: Record<string, string | number>): string {
  return templates[name].replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    if (!(key in params)) throw new Error(`Prompt ${name} needs a value for {{${key}}}`);
    return String(params[key]);
  });
}
