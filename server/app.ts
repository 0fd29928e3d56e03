import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { ArtifactStorage } from '../activities/storage/storage.ts';
import type { Db } from '../db/connect.ts';
import { errorBody, handleError } from './errors.ts';
import type { Logger } from './logger.ts';
import { authRoutes } from './routes/auth.ts';
import { buildRoutes, type BuildRouteSettings } from './routes/builds.ts';
import { healthRoutes } from './routes/health.ts';
import { tokenRoutes } from './routes/tokens.ts';

export interface AppDeps {
  db: Db;
  temporal: Client;
  storage: ArtifactStorage;
  log: Logger;
  builds: BuildRouteSettings;
  secureCookies: boolean;
  /** The built dashboard (ui/dist); omitted in API-only tests. */
  uiDir?: string;
}

// A 1 MB spec can grow several-fold when JSON-escaped; anything past this is refused unread.
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export function createApp(deps: AppDeps) {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use(
    '/api/*',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json(errorBody('payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024 / 1024} MB.`), 413) }),
  );
  app.route('/api/auth', authRoutes(deps.db, { secureCookies: deps.secureCookies }));
  app.route('/api/tokens', tokenRoutes(deps.db));
  app.route('/api/builds', buildRoutes(deps.db, deps.temporal, deps.storage, deps.builds));
  app.route('/api', healthRoutes(deps.db, deps.temporal));
  app.all('/api/*', (c) => c.json(errorBody('not_found', `No route ${c.req.method} ${c.req.path}`), 404));

  if (deps.uiDir && fs.existsSync(path.join(deps.uiDir, 'index.html'))) {
    const uiDir = deps.uiDir;
    const indexHtml = fs.readFileSync(path.join(uiDir, 'index.html'), 'utf8');
    app.use('/assets/*', serveStatic({ root: uiDir, onFound: (_p, c) => c.header('cache-control', 'public, max-age=31536000, immutable') }));
    app.use('/*', serveStatic({ root: uiDir }));
    // Client-side routes (/builds/123) all load the app shell.
    app.get('*', (c) => c.html(indexHtml));
  }
  app.notFound((c) => c.json(errorBody('not_found', `No route ${c.req.method} ${c.req.path}`), 404));
  app.onError(handleError(deps.log));
  return app;
}
