import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { deleteApiToken, insertApiToken, listApiTokens } from '../../db/api-tokens.ts';
import type { Db } from '../../db/connect.ts';
import { newSecretToken, requireUser, type AppEnv } from '../auth.ts';
import { notFound } from '../errors.ts';
import { idParam, text, validate } from '../validation.ts';

export function tokenRoutes(db: Db) {
  return new Hono<AppEnv>()
    .use(requireUser(db))
    .post('/', validate('json', z.strictObject({ name: text().trim().min(1).max(200) })), async (c) => {
      const { token, hash } = newSecretToken('aap');
      const created = await insertApiToken(db, { id: randomUUID(), userId: c.get('user').id, name: c.req.valid('json').name, tokenHash: hash });
      // The only time the token is shown: only its hash is kept.
      return c.json({ ...created, token }, 201);
    })
    .get('/', async (c) => c.json({ items: await listApiTokens(db, c.get('user').id) }))
    .delete('/:id', validate('param', idParam), async (c) => {
      if (!(await deleteApiToken(db, c.get('user').id, c.req.valid('param').id))) throw notFound('Token');
      return c.body(null, 204);
    });
}
