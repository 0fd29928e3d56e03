import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { findTokenUser } from '../db/api-tokens.ts';
import type { Db } from '../db/connect.ts';
import { findSessionUser, insertSession } from '../db/sessions.ts';
import type { User } from '../db/users.ts';
import { ApiError } from './errors.ts';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;

export const SESSION_COOKIE = 'aap_session';
const SESSION_DAYS = 30;
// scrypt with N=2^15, r=8: about 32 MiB and tens of milliseconds per hash (OWASP's recommended floor is 2^17 with r=8, p=1 for 128 MiB; this stays within a small server's memory).
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

export type AppEnv = { Variables: { user: User } };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, KEY_LENGTH, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: SCRYPT.maxmem });
  return timingSafeEqual(actual, expected);
}

/** Tokens are random and only their sha256 is stored: a leaked database yields no usable credential. */
export function newSecretToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function startSession(c: Context, db: Db, userId: string, secureCookies: boolean): Promise<void> {
  const { token, hash } = newSecretToken('sess');
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 24 * 3600 * 1000);
  await insertSession(db, { tokenHash: hash, userId, expiresAt });
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Lax', secure: secureCookies, path: '/', expires: expiresAt });
}

export function endSessionCookie(c: Context): string | undefined {
  const token = getCookie(c, SESSION_COOKIE);
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
  return token;
}

/** Accepts the session cookie or `Authorization: Bearer <api token>`; 401 without either. */
export function requireUser(db: Db): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    let user: User | undefined;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new ApiError(401, 'unauthorized', 'The Authorization header must be "Bearer <token>".');
      user = await findTokenUser(db, hashToken(m[1]!));
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) user = await findSessionUser(db, hashToken(cookie), new Date());
    }
    if (!user) throw new ApiError(401, 'unauthorized', 'Sign in, or send an API token as "Authorization: Bearer <token>".');
    c.set('user', user);
    await next();
  };
}
