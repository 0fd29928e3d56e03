import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { deleteApiToken, insertApiToken, listApiTokens } from '../../db/api-tokens.ts';
import type { Db } from '../../db/connect.ts';
import { apiTokenList, createdApiToken } from '../api-schemas.ts';
import { newSecretToken, requireUser, type AppEnv } from '../auth.ts';
import { notFound } from '../errors.ts';
import { route } from '../openapi.ts';
import { idParam, name, validate } from '../validation.ts';

const TAG = 'API tokens';

export function tokenRoutes(db: Db) {
  return new Hono<AppEnv>()
    .use(requireUser())
    .post(
      '/',
      route(TAG, 'Create an API token', { status: 201, description: 'The token, shown only this once', schema: createdApiToken }, [401]),
      validate('json', z.strictObject({ name: name() })),
      async (c) => {
        const { token, hash } = newSecretToken('aap');
        const created = await insertApiToken(db, { id: randomUUID(), userId: c.get('user').id, name: c.req.valid('json').name, tokenHash: hash });
        // The only time the token is shown: only its hash is kept.
        return c.json({ ...created, token }, 201);
      },
    )
    .get(
      '/',
      route(TAG, 'List your API tokens (never the tokens themselves)', { status: 200, description: 'Your tokens', schema: apiTokenList }, [401]),
      validate('query', z.strictObject({})),
      async (c) => c.json({ items: await listApiTokens(db, c.get('user').id) }),
    )
    .delete('/:id', route(TAG, 'Revoke an API token', { status: 204, description: 'Revoked' }, [401, 404]), validate('param', idParam), async (c) => {
      if (!(await deleteApiToken(db, c.get('user').id, c.req.valid('param').id))) throw notFound('Token');
      return c.body(null, 204);
    });
}
