import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery: a browser attaches the session cookie to requests another site
 * makes, but it also says which site made them (Origin, or Referer). Writes whose Origin is not
 * this server are refused. SameSite=Lax cookies already stop most of these; this also covers
 * sibling subdomains, which count as the same site, and sign-in forged onto an attacker's account.
 * Requests with an API token, and clients that send neither header (curl, scripts), pass.
 */
export function sameOriginWrites(opts: { publicUrl?: string; trustProxy: boolean }): MiddlewareHandler {
  const publicHost = opts.publicUrl ? new URL(opts.publicUrl).host : undefined;
  return async (c, next) => {
    if (!UNSAFE_METHODS.has(c.req.method) || c.req.header('authorization')) return next();
    const claimed = c.req.header('origin') ?? c.req.header('referer');
    if (claimed === undefined) return next();
    const host = hostOf(claimed);
    if (host === undefined || (host !== publicHost && host !== requestHost(c, opts.trustProxy))) {
      throw new ApiError(
        403,
        'cross_origin_request',
        `Refused a ${c.req.method} from another site (${claimed.slice(0, 200)}). Use the dashboard, or an API token; if this server sits behind a proxy, set PUBLIC_URL to its public address.`,
      );
    }
    await next();
  };
}

function hostOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.host : undefined;
  } catch {
    return undefined; // "null" (sandboxed frames, some redirects) and anything unparsable
  }
}

/** The host the browser addressed: it sets Host itself, so another site cannot choose it. */
function requestHost(c: Context, trustProxy: boolean): string | undefined {
  return (trustProxy ? c.req.header('x-forwarded-host') : undefined) ?? c.req.header('host') ?? new URL(c.req.url).host;
}
