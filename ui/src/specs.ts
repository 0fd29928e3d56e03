import { apiRequest, queryString } from './api.ts';
import type { Page, Spec, SpecSummary } from './types.ts';

export const SPECS_PAGE_SIZE = 20;
/** The API refuses specs over 1 MB; checking here saves an upload that would fail. */
export const MAX_SPEC_BYTES = 1024 * 1024;

const specPath = (id: string) => `/api/specs/${encodeURIComponent(id)}`;

export function listSpecs(query: { cursor?: string | null; limit?: number }, signal?: AbortSignal): Promise<Page<SpecSummary>> {
  return apiRequest<Page<SpecSummary>>(`/api/specs${queryString({ cursor: query.cursor, limit: query.limit ?? SPECS_PAGE_SIZE })}`, { signal });
}

export function getSpec(id: string, signal?: AbortSignal): Promise<Spec> {
  return apiRequest<Spec>(specPath(id), { signal });
}

export function createSpec(input: { name: string; content: string }): Promise<Spec> {
  return apiRequest<Spec>('/api/specs', { method: 'POST', body: input });
}

export function updateSpec(id: string, input: { name?: string; content?: string }): Promise<Spec> {
  return apiRequest<Spec>(specPath(id), { method: 'PATCH', body: input });
}

export function deleteSpec(id: string): Promise<void> {
  return apiRequest<void>(specPath(id), { method: 'DELETE' });
}

/** Size and line count the way the server counts them: UTF-8 bytes, and lines of text. */
export function measureSpec(content: string): { sizeBytes: number; lineCount: number } {
  const sizeBytes = new TextEncoder().encode(content).length;
  if (content === '') return { sizeBytes, lineCount: 0 };
  const newlines = content.match(/\n/g)?.length ?? 0;
  return { sizeBytes, lineCount: content.endsWith('\n') ? newlines : newlines + 1 };
}
