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
// scrypt N=2^15, r=8, p=3: one of OWASP's equivalent minimum settings (like N=2^17, p=1) that
// needs 32 MiB per hash instead of 128, so concurrent sign-ins fit a small server. Each hash names
// its parameters, so hashes made with other settings (p=1 before) still verify.
const SCRYPT = { N: 2 ** 15, r: 8, p: 3, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

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

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against an account that does not exist as slowly as against one that does,
 * so response times do not tell which emails have accounts.
 */
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('no account has this password');
  await verifyPassword(password, await dummyHash);
  return false;
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

/** Variables of routers behind `requireUser`: the signed-in user. */
export type AppEnv = { Variables: { user: User } };

/** Before authentication: who is asking, when their credentials are good, or what is wrong with them. */
export type IdentifiedEnv = { Variables: { user?: User; credentialProblem?: string } };

/**
 * Resolves the session cookie or `Authorization: Bearer <api token>` to a user once per request,
 * for every /api route (rate limits count per user); routes that need a user add `requireUser`.
 * A bearer header wins over the cookie, so a script with a token is never treated as a browser.
 */
export function identifyUser(db: Db): MiddlewareHandler<IdentifiedEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (m) c.set('user', await findTokenUser(db, hashToken(m[1]!)));
      else c.set('credentialProblem', 'The Authorization header must be "Bearer <token>".');
    } else {
      const cookie = getCookie(c, SESSION_COOKIE);
      if (cookie) c.set('user', await findSessionUser(db, hashToken(cookie), new Date()));
    }
    await next();
  };
}

/** 401 unless `identifyUser` found a user. */
export function requireUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const identified = c as unknown as Context<IdentifiedEnv>;
    if (!identified.get('user')) {
      throw new ApiError(401, 'unauthorized', identified.get('credentialProblem') ?? 'Sign in, or send an API token as "Authorization: Bearer <token>".');
    }
    await next();
  };
}
