/** A tiny HTTP client for tests that keeps the session cookie like a browser would. */
export class ApiClient {
  private cookie: string | null = null;

  constructor(readonly baseUrl: string) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(this.cookie && { cookie: this.cookie }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0]!;
    return res;
  }

  async json<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await this.request(method, path, body);
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async signUp(email = `user-${Math.random().toString(36).slice(2)}@example.com`, password = 'correct horse battery'): Promise<{ id: string; email: string }> {
    const res = await this.json('POST', '/api/auth/signup', { email, password });
    if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.user;
  }
}

/** Polls until `check` returns a value, or fails with the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs = 120_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
}

type Build = { id: string; status: string; [k: string]: any };

/** Polls a build until `done(build)` holds, and returns it. */
export function waitForBuild(api: ApiClient, id: string, what: string, done: (b: Build) => boolean, timeoutMs = 120_000): Promise<Build> {
  return waitFor(what, async () => {
    const res = await api.json<Build>('GET', `/api/builds/${id}`);
    return done(res.body) && res.body;
  }, timeoutMs);
}

export async function buildEvents(api: ApiClient, id: string): Promise<Array<{ seq: number; type: string; iteration: number; data: any }>> {
  const all = [];
  let after = 0;
  for (;;) {
    const { body } = await api.json('GET', `/api/builds/${id}/events?after=${after}&limit=1000`);
    all.push(...body.events);
    if (body.events.length < 1000) return all;
    after = body.nextAfter;
  }
}
