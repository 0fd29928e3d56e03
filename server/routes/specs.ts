import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { deleteSpec, findOwnedSpec, insertSpec, listSpecs, updateSpec } from '../../db/specs.ts';
import { spec, specPage } from '../api-schemas.ts';
import { requireUser, type AppEnv } from '../auth.ts';
import { ApiError, notFound } from '../errors.ts';
import { route } from '../openapi.ts';
import { decodeCursor, pageQuery, toPage } from '../pagination.ts';
import { idParam, name, text, validate } from '../validation.ts';

export const MAX_SPEC_BYTES = 1024 * 1024;

/** App spec text: anything a person can type (newlines, any script), but no NUL or broken Unicode. */
export const specContent = () => text().min(1, 'must not be empty');

/** 413 past 1 MB of UTF-8: checked after validation, as zod counts characters, not bytes. */
export function checkSpecSize(content: string | undefined, field: string): void {
  if (content !== undefined && Buffer.byteLength(content, 'utf8') > MAX_SPEC_BYTES) {
    throw new ApiError(413, 'payload_too_large', `${field}: must be at most 1 MB (${MAX_SPEC_BYTES} bytes of UTF-8)`);
  }
}

const createBody = z.strictObject({ name: name(), content: specContent() });
const patchBody = z
  .strictObject({ name: name().optional(), content: specContent().optional() })
  .refine((b) => b.name !== undefined || b.content !== undefined, 'send name, content or both');
const listQuery = z.strictObject(pageQuery);

const TAG = 'Specs';

/** Saved app specs, to start builds from (`POST /api/builds {specId}`) and to edit between builds. */
export function specRoutes(db: Db) {
  return new Hono<AppEnv>()
    .use(requireUser())
    .get('/', route(TAG, 'List your specs, newest first (without their content)', { status: 200, description: 'A page of specs', schema: specPage }, [401]), validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await listSpecs(db, c.get('user').id, { after: decodeCursor(q.cursor), limit: q.limit + 1 });
      return c.json(toPage(rows, q.limit, (s) => s, (s) => s));
    })
    .post('/', route(TAG, 'Save a spec', { status: 201, description: 'The spec', schema: spec }, [401, 413]), validate('json', createBody), async (c) => {
      const body = c.req.valid('json');
      checkSpecSize(body.content, 'content');
      return c.json(await insertSpec(db, { id: randomUUID(), ownerId: c.get('user').id, name: body.name, content: body.content }), 201);
    })
    .get('/:id', route(TAG, 'Get a spec with its content', { status: 200, description: 'The spec', schema: spec }, [401, 404]), validate('param', idParam), async (c) => {
      const found = await findOwnedSpec(db, c.get('user').id, c.req.valid('param').id);
      if (!found) throw notFound('Spec');
      return c.json(found);
    })
    .patch(
      '/:id',
      route(TAG, 'Rename a spec or replace its content', { status: 200, description: 'The spec', schema: spec }, [401, 404, 413], {
        description: 'Builds already started from it keep the content they were started with.',
      }),
      validate('param', idParam),
      validate('json', patchBody),
      async (c) => {
        const body = c.req.valid('json');
        checkSpecSize(body.content, 'content');
        const updated = await updateSpec(db, c.get('user').id, c.req.valid('param').id, body);
        if (!updated) throw notFound('Spec');
        return c.json(updated);
      },
    )
    .delete(
      '/:id',
      route(TAG, 'Delete a spec', { status: 204, description: 'Deleted' }, [401, 404], { description: 'Builds started from it keep their copy of its content; their specId becomes null.' }),
      validate('param', idParam),
      async (c) => {
        if (!(await deleteSpec(db, c.get('user').id, c.req.valid('param').id))) throw notFound('Spec');
        return c.body(null, 204);
      },
    );
}
