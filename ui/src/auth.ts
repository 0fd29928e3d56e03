import { redirect } from 'react-router';
import { ApiError, apiRequest } from './api.ts';
import type { User } from './types.ts';

interface UserResponse {
  user: User;
}

export async function signUp(input: { email: string; password: string; name?: string }): Promise<User> {
  const body = await apiRequest<UserResponse>('/api/auth/signup', {
    method: 'POST',
    body: input,
    redirectOnUnauthorized: false,
  });
  return body.user;
}

export async function logIn(input: { email: string; password: string }): Promise<User> {
  const body = await apiRequest<UserResponse>('/api/auth/login', {
    method: 'POST',
    body: input,
    redirectOnUnauthorized: false,
  });
  return body.user;
}

export async function logOut(): Promise<void> {
  await apiRequest<void>('/api/auth/logout', { method: 'POST', redirectOnUnauthorized: false });
}

/** The signed-in user, or null when there is no session. Other failures throw. */
export async function fetchCurrentUser(signal?: AbortSignal): Promise<User | null> {
  try {
    const body = await apiRequest<UserResponse>('/api/auth/me', { signal, redirectOnUnauthorized: false });
    return body.user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Only same-site paths are allowed as a post-sign-in destination. */
export function safeNextPath(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/signin')) return '/';
  return next;
}

export function signInPath(next: string): string {
  return next === '/' ? '/signin' : `/signin?next=${encodeURIComponent(next)}`;
}

/** Loader for the signed-in area: sends visitors without a session to /signin. */
export async function requireUserLoader({ request }: { request: Request }): Promise<User> {
  const user = await fetchCurrentUser(request.signal);
  if (user) return user;
  const url = new URL(request.url);
  throw redirect(signInPath(url.pathname + url.search));
}

/** Loader for /signin: someone already signed in goes straight to the dashboard. */
export async function signInPageLoader({ request }: { request: Request }): Promise<null> {
  const user = await fetchCurrentUser(request.signal).catch(() => null);
  if (user) throw redirect(safeNextPath(new URL(request.url).searchParams.get('next')));
  return null;
}
