import type { Env, Hono, Schema } from 'hono';
import { describeRoute, openAPIRouteHandler, resolver, type ResponsesWithResolver } from 'hono-openapi';
import type { ZodType } from 'zod';

/** `{ error: { code, message } }`, as the document's one shared schema. */
const errorSchema = {
  type: 'object' as const,
  required: ['error'],
  properties: {
    error: { type: 'object' as const, required: ['code', 'message'], properties: { code: { type: 'string' as const }, message: { type: 'string' as const } } },
  },
};

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

const errorMeaning: Record<number, string> = {
  400: 'Invalid input: the message names the field and the problem',
  401: 'Not signed in: send the session cookie or "Authorization: Bearer <token>"',
  403: 'Refused: a write from another site (Origin is not this server)',
  404: 'Not found, or not yours',
  409: 'Conflict with the current state',
  413: 'Too large',
  422: 'Cannot be shown (a binary file)',
  429: 'Too many requests (see Retry-After), or too many active builds',
  503: 'A dependency (workflow service, artifact store) is unreachable; try again shortly',
};

type Success = { status: number; description: string; schema?: ZodType; contentType?: string };

/**
 * The OpenAPI description of one route: request schemas come from its validators; this adds
 * what they cannot know (summary, tag, responses). Every error answers `{ error: { code, message } }`.
 */
export function route(tag: string, summary: string, ok: Success, errors: number[], extra: { description?: string; public?: boolean } = {}) {
  const responses: ResponsesWithResolver = {
    [ok.status]: {
      description: ok.description,
      ...(ok.schema && { content: { [ok.contentType ?? 'application/json']: { schema: resolver(ok.schema) } } }),
    },
  };
  for (const status of errors) responses[status] = { description: errorMeaning[status] ?? 'Error', content: errorContent };
  return describeRoute({ tags: [tag], summary, ...(extra.description && { description: extra.description }), ...(extra.public && { security: [] }), responses });
}

/** `GET /api/openapi.json`: generated on first request from every route registered on `app`. */
export function openApiDocument<E extends Env, S extends Schema, P extends string>(app: Hono<E, S, P>) {
  return openAPIRouteHandler(app, {
    // Routes without a description still appear, so nothing the API serves is left out.
    includeEmptyPaths: true,
    // /api/openapi.json is a route, not a static file.
    excludeStaticFile: false,
    defaultValidationErrorResponse: { description: errorMeaning[400]!, content: errorContent },
    documentation: {
      info: {
        title: 'Autonomous Agents Platform API',
        version: '1',
        description:
          'Builds run a coding agent until every feature of an app spec passes. Every error is `{ "error": { "code", "message" } }`. Lists are newest first with keyset pagination: pass `nextCursor` back as `cursor`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'aap_session', description: 'Set by signup and login.' },
          token: { type: 'http', scheme: 'bearer', description: 'An API token from POST /api/tokens.' },
        },
        schemas: { Error: errorSchema },
      },
      security: [{ session: [] }, { token: [] }],
    },
  });
}
