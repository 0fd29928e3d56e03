import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import { z, type ZodType } from 'zod';
import { errorBody } from './errors.ts';

/** zod validation at the edge, answering 400 in the API's error shape with the first problem named. */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return zValidator(target, schema, (result, c) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return c.json(errorBody('invalid_input', `${where}${issue?.message ?? 'invalid input'}`), 400);
    }
  });
}

/** `:id` path parameters: anything that is not one of our ids is a 400, not a database lookup. */
export const idParam = z.object({ id: z.uuid('must be an id') });

/** A string Postgres can store: text columns refuse NUL, which would otherwise surface as a 500. */
export const text = () => z.string().refine((s) => !s.includes('\u0000'), 'must not contain NUL characters');
