import fs from 'node:fs';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Client } from '@temporalio/client';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import type { ArtifactStorage } from '../activities/storage/storage.ts';
import type { Db } from '../db/connect.ts';
import { identifyUser } from './auth.ts';
import { sameOriginWrites } from './csrf.ts';
import { errorBody, handleError } from './errors.ts';
import type { Logger } from './logger.ts';
import { LoginThrottle, type LoginThrottleSettings } from './login-throttle.ts';
import { openApiDocument, route } from './openapi.ts';
import { passwordRouteRateLimit, requestRateLimit } from './rate-limits.ts';
import { authRoutes } from './routes/auth.ts';
import { buildRoutes, type BuildRouteSettings } from './routes/builds.ts';
import { healthRoutes } from './routes/health.ts';
import { projectRoutes } from './routes/projects.ts';
import { specRoutes } from './routes/specs.ts';
import { tokenRoutes } from './routes/tokens.ts';
import { withOutagesAs503 } from './storage-outage.ts';

export interface SecuritySettings {
  /** PUBLIC_URL: writes from this origin are the server's own (behind a proxy that rewrites Host). */
  publicUrl?: string;
  /** TRUST_PROXY: take the client's address from X-Forwarded-For. */
  trustProxy: boolean;
  /** Requests a minute per account (signed out: per address); 0 = no limit. */
  requestsPerMinute: number;
  /** Sign-ups and sign-ins a minute per address; 0 = no limit. */
  passwordRequestsPerMinute: number;
  login: LoginThrottleSettings;
}

export interface AppDeps {
  db: Db;
  temporal: Client;
  storage: ArtifactStorage;
  log: Logger;
  builds: BuildRouteSettings;
  security: SecuritySettings;
  secureCookies: boolean;
  /** The built dashboard (ui/dist); omitted in API-only tests. */
  uiDir?: string;
}

// A 1 MB spec can grow several-fold when JSON-escaped; anything past this is refused unread.
const MAX_BODY_BYTES = 8 * 1024 * 1024;

// For the built dashboard: its own scripts only (Vite emits no inline script), inline styles
// allowed because React style props and the charts set them, images from itself and data: URLs
// (the favicon), no plugins, and no framing by other sites.
const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export function createApp(deps: AppDeps) {
  const { security } = deps;
  const app = new Hono();
  app.use('*', secureHeaders({ contentSecurityPolicy }));
  app.use(
    '/api/*',
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json(errorBody('payload_too_large', `Request bodies are limited to ${MAX_BODY_BYTES / 1024 / 1024} MB.`), 413) }),
  );
  // Probes answer before authentication and limits, so a busy load balancer is never refused.
  app.route('/api', healthRoutes(deps.db, deps.temporal));
  app.use('/api/*', sameOriginWrites(security));
  app.use('/api/*', identifyUser(deps.db));
  app.use('/api/*', requestRateLimit({ perMinute: security.requestsPerMinute, trustProxy: security.trustProxy }));
  const passwordLimit = passwordRouteRateLimit({ perMinute: security.passwordRequestsPerMinute, trustProxy: security.trustProxy });
  app.use('/api/auth/signup', passwordLimit);
  app.use('/api/auth/login', passwordLimit);

  const throttle = new LoginThrottle(security.login);
  app.route('/api/auth', authRoutes(deps.db, { secureCookies: deps.secureCookies, throttle, trustProxy: security.trustProxy }));
  app.route('/api/tokens', tokenRoutes(deps.db));
  app.route('/api/specs', specRoutes(deps.db));
  app.route('/api/projects', projectRoutes(deps.db));
  app.route('/api/builds', buildRoutes(deps.db, deps.temporal, withOutagesAs503(deps.storage), deps.builds));
  app.get('/api/openapi.json', route('Meta', 'This document: OpenAPI 3.1, generated from the route schemas', { status: 200, description: 'The OpenAPI document' }, [], { public: true }), openApiDocument(app));
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
