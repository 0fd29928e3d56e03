import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import { z, type ZodType } from 'zod';
import { errorBody } from './errors.ts';

/**
 * zod validation at the edge, answering 400 in the API's error shape with the first problem
 * named. hono-openapi's validator also records the schema, so /api/openapi.json is generated
 * from the very schemas that check requests.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends ZodType>(target: Target, schema: Schema) {
  return validator(target, schema, (result, c) => {
    if (!result.success) {
      const issue = result.error[0];
      const path = (issue?.path ?? []).map((p) => (typeof p === 'object' ? p.key : p));
      const where = path.length ? `${path.map(String).join('.')}: ` : '';
      return c.json(errorBody('invalid_input', `${where}${issue?.message ?? 'invalid input'}`), 400);
    }
  });
}

/** `:id` path parameters: anything that is not one of our ids is a 400, not a database lookup. */
export const idParam = z.object({ id: z.uuid('must be an id') });

// A UTF-16 surrogate without its partner: JSON allows "\ud800", but it is not text, and the
// database driver would silently store U+FFFD in its place.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Control characters (newlines and tabs included) and the bidirectional embedding, override and
// isolate marks that can make a name display as something else ("Trojan Source").
const NOT_IN_NAMES = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** A string Postgres can store as text: no NUL (refused by text columns), no lone surrogates. */
export const text = () =>
  z
    .string()
    .refine((s) => !s.includes('\u0000'), 'must not contain NUL characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'must be valid Unicode (it contains a lone surrogate)');

/** A one-line name shown in lists: 1-200 characters once trimmed, no control or bidi-override characters. */
export const name = () =>
  text()
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .refine((s) => !NOT_IN_NAMES.test(s), 'must be one line of plain text (no control or bidirectional-override characters)');
