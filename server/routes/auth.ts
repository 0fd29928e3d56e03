import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { deleteSession } from '../../db/sessions.ts';
import { findUserByEmail, insertUser, toUser } from '../../db/users.ts';
import { userBody } from '../api-schemas.ts';
import { endSessionCookie, hashPassword, hashToken, requireUser, startSession, verifyAgainstNobody, verifyPassword, type AppEnv } from '../auth.ts';
import { clientAddress } from '../client-address.ts';
import { ApiError } from '../errors.ts';
import type { LoginThrottle } from '../login-throttle.ts';
import { route } from '../openapi.ts';
import { tooManyRequests } from '../rate-limits.ts';
import { name, text, validate } from '../validation.ts';

const email = text().trim().toLowerCase().max(320).pipe(z.email('must be a valid email address'));
const signupBody = z.strictObject({
  email,
  password: text().min(8, 'must be at least 8 characters').max(256),
  name: name().optional(),
});
const loginBody = z.strictObject({ email, password: text().min(1).max(256) });

const TAG = 'Accounts';

export function authRoutes(db: Db, opts: { secureCookies: boolean; throttle: LoginThrottle; trustProxy: boolean }) {
  return new Hono<AppEnv>()
    .post(
      '/signup',
      route(TAG, 'Create an account and sign in', { status: 201, description: 'The new user; the session cookie is set', schema: userBody }, [409, 429], { public: true }),
      validate('json', signupBody),
      async (c) => {
        const body = c.req.valid('json');
        const user = await insertUser(db, { id: randomUUID(), email: body.email, name: body.name ?? null, passwordHash: await hashPassword(body.password) });
        if (!user) throw new ApiError(409, 'email_taken', 'An account with this email already exists. Sign in instead.');
        await startSession(c, db, user.id, opts.secureCookies);
        return c.json({ user }, 201);
      },
    )
    .post(
      '/login',
      route(TAG, 'Sign in', { status: 200, description: 'The user; the session cookie is set', schema: userBody }, [401, 429], {
        public: true,
        description: 'Repeated failures for one email, or from one address, lock further attempts out for a doubling time (429 with Retry-After).',
      }),
      validate('json', loginBody),
      async (c) => {
        const body = c.req.valid('json');
        const address = clientAddress(c, opts.trustProxy);
        const lockedMs = await opts.throttle.lockedForMs(body.email, address);
        if (lockedMs > 0) tooManyRequests(c, lockedMs, (s) => `Too many failed sign-ins. Try again in ${s} s.`);
        const row = await findUserByEmail(db, body.email);
        const ok = row ? await verifyPassword(body.password, row.password_hash) : await verifyAgainstNobody(body.password);
        // Same answer for an unknown email and a wrong password: no account enumeration.
        if (!row || !ok) {
          await opts.throttle.failed(body.email, address);
          throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong.');
        }
        await opts.throttle.succeeded(body.email);
        await startSession(c, db, row.id, opts.secureCookies);
        return c.json({ user: toUser(row) });
      },
    )
    .post('/logout', route(TAG, 'Sign out: ends the session and clears its cookie', { status: 204, description: 'Signed out (also when not signed in)' }, [], { public: true }), async (c) => {
      const token = endSessionCookie(c);
      if (token) await deleteSession(db, hashToken(token));
      return c.body(null, 204);
    })
    .get('/me', route(TAG, 'The signed-in user', { status: 200, description: 'The user', schema: userBody }, [401]), requireUser(), (c) => c.json({ user: c.get('user') }));
}
