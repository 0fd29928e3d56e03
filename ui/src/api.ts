/**
 * The one place the UI talks HTTP. Every call is JSON, same-origin, with the
 * session cookie, and every failure becomes an ApiError with a code, a message
 * a person can act on, and the HTTP status (0 when the server was unreachable).
 */

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

/** Errors worth retrying on their own: the network, rate limits and server faults. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === 0 || error.status === 408 || error.status === 429 || error.status >= 500;
}

export function errorMessage(error: unknown): string {
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
}

export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = 'GET', body, signal, redirectOnUnauthorized = true } = options;
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';

  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'network_error', 'Cannot reach the server. Check your connection.');
  }

  if (response.status === 401 && redirectOnUnauthorized) unauthorizedHandler?.();
  if (!response.ok) throw await toApiError(response);
  if (response.status === 204) return undefined as T;

  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(response.status, 'invalid_response', 'The server sent a response the dashboard cannot read.');
  }
}

async function toApiError(response: Response): Promise<ApiError> {
  const fallback = `Request failed (${response.status}${response.statusText ? ` ${response.statusText}` : ''}).`;
  try {
    const payload = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof payload.error?.code === 'string' ? payload.error.code : `http_${response.status}`;
    const message = typeof payload.error?.message === 'string' ? payload.error.message : fallback;
    return new ApiError(response.status, code, message);
  } catch {
    return new ApiError(response.status, `http_${response.status}`, fallback);
  }
}
