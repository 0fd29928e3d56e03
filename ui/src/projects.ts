import { apiRequest, queryString } from './api.ts';
import type { Page, Project } from './types.ts';

const projectPath = (id: string) => `/api/projects/${encodeURIComponent(id)}`;

export function listProjects(query: { cursor?: string | null; limit?: number } = {}, signal?: AbortSignal): Promise<Page<Project>> {
  return apiRequest<Page<Project>>(`/api/projects${queryString({ cursor: query.cursor, limit: query.limit ?? 50 })}`, { signal });
}

export function getProject(id: string, signal?: AbortSignal): Promise<Project> {
  return apiRequest<Project>(projectPath(id), { signal });
}

export function createProject(input: { name: string; description?: string }): Promise<Project> {
  return apiRequest<Project>('/api/projects', { method: 'POST', body: input });
}

export function updateProject(id: string, input: { name?: string; description?: string | null }): Promise<Project> {
  return apiRequest<Project>(projectPath(id), { method: 'PATCH', body: input });
}

export function deleteProject(id: string): Promise<void> {
  return apiRequest<void>(projectPath(id), { method: 'DELETE' });
}
