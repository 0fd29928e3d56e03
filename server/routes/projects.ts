import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { Db } from '../../db/connect.ts';
import { deleteProject, findOwnedProject, insertProject, listProjects, updateProject } from '../../db/projects.ts';
import { project, projectPage } from '../api-schemas.ts';
import { requireUser, type AppEnv } from '../auth.ts';
import { notFound } from '../errors.ts';
import { route } from '../openapi.ts';
import { decodeCursor, pageQuery, toPage } from '../pagination.ts';
import { idParam, name, text, validate } from '../validation.ts';

const description = text().trim().max(2000, 'must be at most 2000 characters');
const createBody = z.strictObject({ name: name(), description: description.optional() });
const patchBody = z
  .strictObject({ name: name().optional(), description: description.nullable().optional() })
  .refine((b) => b.name !== undefined || b.description !== undefined, 'send name, description or both');
const listQuery = z.strictObject(pageQuery);

const TAG = 'Projects';

/** Projects group builds (`POST /api/builds {projectId}`, `GET /api/builds?projectId=`). */
export function projectRoutes(db: Db) {
  return new Hono<AppEnv>()
    .use(requireUser())
    .get('/', route(TAG, 'List your projects, newest first', { status: 200, description: 'A page of projects', schema: projectPage }, [401]), validate('query', listQuery), async (c) => {
      const q = c.req.valid('query');
      const rows = await listProjects(db, c.get('user').id, { after: decodeCursor(q.cursor), limit: q.limit + 1 });
      return c.json(toPage(rows, q.limit, (p) => p, (p) => p));
    })
    .post('/', route(TAG, 'Create a project', { status: 201, description: 'The project', schema: project }, [401]), validate('json', createBody), async (c) => {
      const body = c.req.valid('json');
      // An empty description is no description.
      return c.json(await insertProject(db, { id: randomUUID(), ownerId: c.get('user').id, name: body.name, description: body.description || null }), 201);
    })
    .get('/:id', route(TAG, 'Get a project', { status: 200, description: 'The project', schema: project }, [401, 404]), validate('param', idParam), async (c) => {
      const found = await findOwnedProject(db, c.get('user').id, c.req.valid('param').id);
      if (!found) throw notFound('Project');
      return c.json(found);
    })
    .patch(
      '/:id',
      route(TAG, 'Rename a project or change its description (null clears it)', { status: 200, description: 'The project', schema: project }, [401, 404]),
      validate('param', idParam),
      validate('json', patchBody),
      async (c) => {
        const body = c.req.valid('json');
        const patch = { name: body.name, description: body.description === undefined ? undefined : body.description || null };
        const updated = await updateProject(db, c.get('user').id, c.req.valid('param').id, patch);
        if (!updated) throw notFound('Project');
        return c.json(updated);
      },
    )
    .delete(
      '/:id',
      route(TAG, 'Delete a project', { status: 204, description: 'Deleted' }, [401, 404], {
        description: 'Its builds are kept, detached from it: their projectId becomes null. (Builds cannot be moved between projects, so refusing to delete a project with builds would make it undeletable.)',
      }),
      validate('param', idParam),
      async (c) => {
        if (!(await deleteProject(db, c.get('user').id, c.req.valid('param').id))) throw notFound('Project');
        return c.body(null, 204);
      },
    );
}
