import type { Context, MiddlewareHandler } from 'hono';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { IdentifiedEnv } from './auth.ts';
import { clientAddress } from './client-address.ts';
import { ApiError } from './errors.ts';

/**
 * Counts live in this process: with several API replicas each enforces the limit on its own
 * share. rate-limiter-flexible offers shared stores (Redis, Postgres) behind the same interface
 * if that ever matters more than running without another service.
 */

/** 429 with Retry-After, in the API's error shape. */
export function tooManyRequests(c: Context, retryAfterMs: number, message: (seconds: number) => string): never {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  c.header('Retry-After', String(seconds));
  throw new ApiError(429, 'rate_limited', message(seconds));
}

/**
 * Every /api request counts against its user (or, signed out, its address): at most
 * `perMinute` a minute. 0 turns the limit off.
 */
export function requestRateLimit(opts: { perMinute: number; trustProxy: boolean }): MiddlewareHandler<IdentifiedEnv> {
  if (opts.perMinute <= 0) return (_c, next) => next();
  const limiter = new RateLimiterMemory({ keyPrefix: 'requests', points: opts.perMinute, duration: 60 });
  return async (c, next) => {
    const user = c.get('user');
    const key = user ? `user:${user.id}` : `address:${clientAddress(c, opts.trustProxy)}`;
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      tooManyRequests(c, res.msBeforeNext, (s) => `Too many requests: at most ${opts.perMinute} a minute ${user ? 'per account' : 'per address'}. Try again in ${s} s.`);
    }
    await next();
  };
}

/**
 * Sign-up and sign-in hash a password (deliberately slow), so each address gets fewer of them:
 * at most `perMinute` a minute. 0 turns the limit off.
 */
export function passwordRouteRateLimit(opts: { perMinute: number; trustProxy: boolean }): MiddlewareHandler {
  if (opts.perMinute <= 0) return (_c, next) => next();
  const limiter = new RateLimiterMemory({ keyPrefix: 'password-routes', points: opts.perMinute, duration: 60 });
  return async (c, next) => {
    try {
      await limiter.consume(clientAddress(c, opts.trustProxy));
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      tooManyRequests(c, res.msBeforeNext, (s) => `Too many sign-up or sign-in requests from this address: at most ${opts.perMinute} a minute. Try again in ${s} s.`);
    }
    await next();
  };
}
