import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { deleteSession } from '../../db/sessions.ts';
import { findUserByEmail, insertUser, toUser } from '../../db/users.ts';
import { endSessionCookie, hashPassword, hashToken, requireUser, startSession, verifyPassword, type AppEnv } from '../auth.ts';
import { ApiError } from '../errors.ts';
import { text, validate } from '../validation.ts';

const email = text().trim().toLowerCase().max(320).pipe(z.email('must be a valid email address'));
const signupBody = z.strictObject({
  email,
  password: text().min(8, 'must be at least 8 characters').max(256),
  name: text().trim().min(1).max(200).optional(),
});
const loginBody = z.strictObject({ email, password: text().min(1).max(256) });

export function authRoutes(db: Db, opts: { secureCookies: boolean }) {
  return new Hono<AppEnv>()
    .post('/signup', validate('json', signupBody), async (c) => {
      const body = c.req.valid('json');
      const user = await insertUser(db, { id: randomUUID(), email: body.email, name: body.name ?? null, passwordHash: await hashPassword(body.password) });
      if (!user) throw new ApiError(409, 'email_taken', 'An account with this email already exists. Sign in instead.');
      await startSession(c, db, user.id, opts.secureCookies);
      return c.json({ user }, 201);
    })
    .post('/login', validate('json', loginBody), async (c) => {
      const body = c.req.valid('json');
      const row = await findUserByEmail(db, body.email);
      // Same answer for an unknown email and a wrong password: no account enumeration.
      if (!row || !(await verifyPassword(body.password, row.password_hash))) {
        throw new ApiError(401, 'invalid_credentials', 'Email or password is wrong.');
      }
      await startSession(c, db, row.id, opts.secureCookies);
      return c.json({ user: toUser(row) });
    })
    .post('/logout', async (c) => {
      const token = endSessionCookie(c);
      if (token) await deleteSession(db, hashToken(token));
      return c.body(null, 204);
    })
    .get('/me', requireUser(db), (c) => c.json({ user: c.get('user') }));
}
