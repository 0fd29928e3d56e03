import { apiRequest } from './api.ts';
import type { ApiToken, CreatedApiToken } from './types.ts';

export async function listTokens(signal?: AbortSignal): Promise<ApiToken[]> {
  const body = await apiRequest<{ items: ApiToken[] }>('/api/tokens', { signal });
  return body.items;
}

/** The answer carries the secret token; the API never shows it again. */
export function createToken(name: string): Promise<CreatedApiToken> {
  return apiRequest<CreatedApiToken>('/api/tokens', { method: 'POST', body: { name } });
}

export function revokeToken(id: string): Promise<void> {
  return apiRequest<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' });
}
