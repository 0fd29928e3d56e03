import fs from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('.env.example', () => {
  it('lists every variable the configuration reads', () => {
    const example = fs.readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const source = fs.readFileSync(new URL('../server/config.ts', import.meta.url), 'utf8');
    const schema = source.slice(source.indexOf('const envSchema'), source.indexOf('export type Env'));
    const read = [...schema.matchAll(/^\s+([A-Z0-9_]+):/gm)].map((m) => m[1]);
    expect(read.length).toBeGreaterThan(20);
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });
});
