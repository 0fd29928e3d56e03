import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.ts';

describe('configuration', () => {
  it('runs everything embedded with no settings at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233, ROLE: 'all', embeddedTemporal: true, sandboxProvider: 'local', TEMPORAL_TASK_QUEUE: 'builds' });
    expect(c.temporalAddress).toBe('127.0.0.1:7233');
    expect(c.temporalUiUrl).toBe('http://localhost:8233');
  });

  it('uses an external Temporal and E2B when told to', () => {
    const c = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233', E2B_API_KEY: 'e2b_x' });
    expect(c.embeddedTemporal).toBe(false);
    expect(c.temporalAddress).toBe('temporal:7233');
    expect(c.sandboxProvider).toBe('e2b');
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ ROLE: 'both' })).toThrow(/ROLE/);
    expect(() => loadConfig({ SANDBOX_PROVIDER: 'e2b' })).toThrow(/E2B_API_KEY/);
  });

  it('reads archive exclusions as plain names, and S3 endpoints as URLs', () => {
    expect(loadConfig({}).ARTIFACT_EXCLUDE).toEqual(['node_modules', '.cache', '.venv', '__pycache__']);
    expect(loadConfig({ ARTIFACT_EXCLUDE: '' }).ARTIFACT_EXCLUDE).toEqual(['node_modules', '.cache', '.venv', '__pycache__']);
    expect(loadConfig({ ARTIFACT_EXCLUDE: ' node_modules , dist,,target ' }).ARTIFACT_EXCLUDE).toEqual(['node_modules', 'dist', 'target']);
    for (const bad of ['src/generated', '*.log', '..']) expect(() => loadConfig({ ARTIFACT_EXCLUDE: bad }), bad).toThrow(/ARTIFACT_EXCLUDE/);
    expect(() => loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'localhost:9000' })).toThrow(/S3_ENDPOINT/);
    expect(loadConfig({ S3_BUCKET: 'b', S3_ENDPOINT: 'http://localhost:9000' }).S3_ENDPOINT).toBe('http://localhost:9000');
  });

  it('has limits by default, takes 0 to lift a rate limit, and wants PUBLIC_URL as a URL', () => {
    expect(loadConfig({})).toMatchObject({ MAX_CONCURRENT_BUILDS_PER_USER: 3, RATE_LIMIT_PER_MINUTE: 600, AUTH_RATE_LIMIT_PER_MINUTE: 20, LOGIN_FREE_ATTEMPTS: 5, TRUST_PROXY: false });
    expect(loadConfig({ RATE_LIMIT_PER_MINUTE: '0', TRUST_PROXY: '1' })).toMatchObject({ RATE_LIMIT_PER_MINUTE: 0, TRUST_PROXY: true });
    expect(() => loadConfig({ MAX_CONCURRENT_BUILDS_PER_USER: '0' })).toThrow(/MAX_CONCURRENT_BUILDS_PER_USER/);
    expect(() => loadConfig({ PUBLIC_URL: 'agents.example.com' })).toThrow(/PUBLIC_URL/);
    expect(loadConfig({ PUBLIC_URL: 'https://agents.example.com' }).PUBLIC_URL).toBe('https://agents.example.com');
  });
});
