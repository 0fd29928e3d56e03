import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LocalArtifactStorage } from '../activities/storage/local.ts';
import { S3ArtifactStorage } from '../activities/storage/s3.ts';
import type { ArtifactStorage } from '../activities/storage/storage.ts';
import { upsertArtifact } from '../db/artifacts.ts';
import { recordCheckpoint } from '../db/checkpoints.ts';
import { freePort } from './support/ports.ts';
import { createTestApp, signUpCookie } from './support/test-app.ts';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const apps: TestApp[] = [];
afterAll(async () => {
  for (const t of apps) await t.close();
});

/** A build whose artifact and checkpoint are recorded, in a store that cannot be reached. */
async function buildInUnreachableStore(name: string, storage: ArtifactStorage) {
  const t = await createTestApp(name, { storage });
  apps.push(t);
  const cookie = await signUpCookie(t.app);
  const created = await t.app.request('/api/builds', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ spec: '# Stored' }) });
  const { id } = (await created.json()) as { id: string };
  const archive = { storageKey: `builds/${id}/workspace.tar.gz`, format: 'tar.gz', sizeBytes: 100, sha256: 'a'.repeat(64), fileCount: 3 };
  await recordCheckpoint(t.db, id, { iteration: 1, storageKey: `builds/${id}/checkpoints/000001.tar.gz`, sizeBytes: 100, sha256: 'b'.repeat(64), fileCount: 3 }, 3);
  await upsertArtifact(t.db, id, archive);
  return { t, cookie, id };
}

const routes = (id: string) => [`/api/builds/${id}/artifact?format=tar.gz`, `/api/builds/${id}/artifact?format=zip`, `/api/builds/${id}/files`, `/api/builds/${id}/files?path=src`, `/api/builds/${id}/files/content?path=app_spec.txt`];

describe('an artifact store outage', () => {
  it('answers 503 storage_unavailable, not 500, on every artifact and file route (S3 unreachable)', async () => {
    const port = await freePort(); // nothing listens there any more
    const storage = new S3ArtifactStorage({ bucket: 'gone', region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'k', secretAccessKey: 's' });
    const { t, cookie, id } = await buildInUnreachableStore('outage-s3', storage);
    for (const route of routes(id)) {
      const res = await t.app.request(route, { headers: { cookie } });
      expect(res.status, route).toBe(503);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('storage_unavailable');
      expect(body.error.message).toMatch(/Try again shortly/);
    }
    storage.close();
  });

  it('answers 503 when the local artifact folder cannot be read', async () => {
    // The storage root is a file, so every read fails with ENOTDIR, as on a broken mount.
    const root = path.join(inject('tmpRoot'), 'outage-local-root');
    fs.writeFileSync(root, 'not a folder');
    const { t, cookie, id } = await buildInUnreachableStore('outage-local', new LocalArtifactStorage(root));
    for (const route of routes(id)) {
      const res = await t.app.request(route, { headers: { cookie } });
      expect(res.status, route).toBe(503);
    }
  });
});
