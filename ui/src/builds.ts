import { ApiError, apiRequest } from './api.ts';
import type { Build, BuildPage, BuildStatus, FeatureSnapshot, NewBuildInput } from './types.ts';

export const BUILDS_PAGE_SIZE = 20;

export function listBuilds(
  query: { status?: BuildStatus; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<BuildPage> {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.cursor) params.set('cursor', query.cursor);
  params.set('limit', String(query.limit ?? BUILDS_PAGE_SIZE));
  return apiRequest<BuildPage>(`/api/builds?${params.toString()}`, { signal });
}

export function createBuild(input: NewBuildInput): Promise<Build> {
  return apiRequest<Build>('/api/builds', { method: 'POST', body: input });
}

export function getBuild(id: string, signal?: AbortSignal): Promise<Build> {
  return apiRequest<Build>(`/api/builds/${encodeURIComponent(id)}`, { signal });
}

/** The latest feature_list.json snapshot, or null before the agent has written one. */
export async function getFeatures(id: string, signal?: AbortSignal): Promise<FeatureSnapshot | null> {
  try {
    return await apiRequest<FeatureSnapshot>(`/api/builds/${encodeURIComponent(id)}/features`, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function artifactDownloadUrl(id: string): string {
  return `/api/builds/${encodeURIComponent(id)}/artifact?format=tar.gz`;
}
