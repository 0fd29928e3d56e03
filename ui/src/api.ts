/**
 * The one place the UI talks HTTP. Every call is JSON, same-origin, with the
 * session cookie, and every failure becomes an ApiError with a code, a message
 * a person can act on, and the HTTP status (0 when the server was unreachable).
 */
import { reportConnectionLost, reportConnectionOk } from './connection.ts';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  /** From Retry-After on 429/503: how long the server asked us to wait. */
  readonly retryAfterMs: number | null;

  constructor(status: number, code: string, message: string, retryAfterMs: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Errors worth retrying on their own: the network, rate limits and server faults. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError && error.status === 429) {
    const wait = error.retryAfterMs ? ` Trying again in ${Math.ceil(error.retryAfterMs / 1000)} s.` : '';
    return `${error.message || 'Too many requests.'}${wait}`;
  }
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}

// A 401 anywhere means the session is gone; the app decides where to send the person.
let unauthorizedHandler: (() => void) | null = null;

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Auth calls answer 401 for a wrong password; that must not trigger a redirect. */
  redirectOnUnauthorized?: boolean;
  /**
   * GET only: send If-None-Match with the ETag of the last answer for this path, and hand
   * back that same object on 304, so an unchanged resource costs a header and no re-render.
   */
  conditional?: boolean;
  /** Read the body as text instead of JSON (file contents). */
  responseType?: 'json' | 'text';
}

/** Last ETag and body per conditional path; a handful of entries, oldest dropped first. */
const validators = new Map<string, { etag: string; data: unknown }>();
const MAX_VALIDATORS = 64;

function remember(path: string, etag: string, data: unknown): void {
  validators.delete(path);
  validators.set(path, { etag, data });
  if (validators.size > MAX_VALIDATORS) validators.delete(validators.keys().next().value!);
}

/** Forgets cached answers under a path prefix, e.g. after changing the resource. */
export function forgetCached(prefix: string): void {
  for (const key of [...validators.keys()]) if (key.startsWith(prefix)) validators.delete(key);
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, redirectOnUnauthorized = true, conditional = false, responseType = 'json' } = options;
  const headers: Record<string, string> = { Accept: responseType === 'json' ? 'application/json' : 'text/plain, */*' };
  // Writes need no token of their own: the browser's Origin header tells the server they come from here.
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const cached = conditional && method === 'GET' ? validators.get(path) : undefined;
  if (cached) headers['If-None-Match'] = cached.etag;

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      // Our own If-None-Match does the revalidation; the HTTP cache must not answer for the server.
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    reportConnectionLost();
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }
  reportConnectionOk();

  if (response.status === 304 && cached) {
    await response.text(); // drain the (empty) body so the request ends cleanly
    return cached.data as T;
  }
  if (response.status === 401 && redirectOnUnauthorized) unauthorizedHandler?.();
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;

  const text = await response.text();
  if (responseType === 'text') return text as T;
  if (text === '') return undefined as T;
  let data: T;
  try {
    data = JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, 'invalid_response', 'The server sent a response the dashboard cannot read.');
  }
  const etag = response.headers.get('ETag');
  if (conditional && etag) remember(path, etag, data);
  return data;
}

/** Retry-After is seconds or an HTTP date. */
function retryAfterMs(response: Response): number | null {
  const value = response.headers.get('Retry-After');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function toApiError(response: Response): Promise<ApiError> {
  const fallback = `Request failed (${response.status}${response.statusText ? ` ${response.statusText}` : ''}).`;
  const wait = retryAfterMs(response);
  try {
    const payload = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof payload.error?.code === 'string' ? payload.error.code : `http_${response.status}`;
    const message = typeof payload.error?.message === 'string' ? payload.error.message : fallback;
    return new ApiError(response.status, code, message, wait);
  } catch {
    return new ApiError(response.status, `http_${response.status}`, fallback, wait);
  }
}

/** `?a=1&b=2` from the defined entries only. */
export function queryString(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
