import { apiRequest, isNotFound, queryString } from './api.ts';
import type {
  Build,
  BuildOptionsInput,
  BuildPage,
  BuildStats,
  BuildStatus,
  EventPage,
  FeatureSnapshot,
  FolderListing,
  IterationRecord,
  NewBuildInput,
} from './types.ts';

export const BUILDS_PAGE_SIZE = 20;

const buildPath = (id: string) => `/api/builds/${encodeURIComponent(id)}`;

export function listBuilds(
  query: { status?: BuildStatus; projectId?: string; cursor?: string | null; limit?: number },
  signal?: AbortSignal,
): Promise<BuildPage> {
  const path = `/api/builds${queryString({ status: query.status, projectId: query.projectId, cursor: query.cursor, limit: query.limit ?? BUILDS_PAGE_SIZE })}`;
  return apiRequest<BuildPage>(path, { signal });
}

export function getBuildStats(signal?: AbortSignal): Promise<BuildStats> {
  return apiRequest<BuildStats>('/api/builds/stats', { signal, conditional: true });
}

export function createBuild(input: NewBuildInput): Promise<Build> {
  return apiRequest<Build>('/api/builds', { method: 'POST', body: input });
}

/** Conditional: an unchanged build answers 304 and comes back as the very same object. */
export function getBuild(id: string, signal?: AbortSignal): Promise<Build> {
  return apiRequest<Build>(buildPath(id), { signal, conditional: true });
}

/** The latest feature_list.json snapshot, or null before the agent has written one. */
export async function getFeatures(id: string, signal?: AbortSignal): Promise<FeatureSnapshot | null> {
  try {
    return await apiRequest<FeatureSnapshot>(`${buildPath(id)}/features`, { signal, conditional: true });
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

const ITERATIONS_PAGE_SIZE = 200;

/** The sessions recorded after session `after`, following the pages to the end. */
export async function getIterationsAfter(id: string, after: number, signal?: AbortSignal): Promise<IterationRecord[]> {
  const items: IterationRecord[] = [];
  let cursor: number | null = after;
  while (cursor !== null) {
    const page: { items: IterationRecord[]; nextAfter?: number | null } = await apiRequest(
      `${buildPath(id)}/iterations${queryString({ after: cursor, limit: ITERATIONS_PAGE_SIZE })}`,
      { signal },
    );
    items.push(...page.items);
    cursor = page.items.length > 0 && page.nextAfter !== undefined && page.nextAfter !== null && page.nextAfter > cursor ? page.nextAfter : null;
  }
  return items;
}

export function getEvents(id: string, after: number, limit: number, signal?: AbortSignal): Promise<EventPage> {
  return apiRequest<EventPage>(`${buildPath(id)}/events${queryString({ after, limit })}`, { signal });
}

export type BuildAction = 'pause' | 'resume' | 'cancel';

export function controlBuild(id: string, action: BuildAction, limits?: BuildOptionsInput): Promise<Build> {
  const body = action === 'resume' && limits && Object.keys(limits).length > 0 ? { limits } : action === 'resume' ? {} : undefined;
  return apiRequest<Build>(`${buildPath(id)}/${action}`, { method: 'POST', body });
}

export function artifactDownloadUrl(id: string, format: 'tar.gz' | 'zip' = 'tar.gz'): string {
  return `${buildPath(id)}/artifact?format=${format}`;
}

export function listWorkspaceFolder(id: string, path: string, signal?: AbortSignal): Promise<FolderListing> {
  return apiRequest<FolderListing>(`${buildPath(id)}/files${queryString({ path })}`, { signal });
}

export function readWorkspaceFile(id: string, path: string, signal?: AbortSignal): Promise<string> {
  return apiRequest<string>(`${buildPath(id)}/files/content${queryString({ path })}`, { signal, responseType: 'text' });
}
