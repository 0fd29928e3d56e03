import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { S3ArtifactStorage } from '../activities/storage/s3.ts';
import { ApiClient, waitFor, waitForBuild } from './support/api-client.ts';
import { describeTree } from './support/file-tree.ts';
import { createBucket, minioEnv } from './support/minio-server.ts';
import { initializerCommand, scriptedAgent, type ScriptedAgentOptions } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic, type ScriptHandler } from './support/scripted-anthropic.ts';
import { createTestApp, signUpCookie } from './support/test-app.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const SPEC = '# Notes app\n\nWrite and search notes.\n';

// What the initializer leaves in the workspace besides its feature list: nested sources, an
// executable, a binary, a large log, symlinks in and out of the workspace, and folders that
// ARTIFACT_EXCLUDE keeps out of every archive.
const WORKSPACE_SETUP = [
  'mkdir -p src/components node_modules/leftpad build-cache/deep',
  `printf 'export const App = () => null;\\n' > src/components/App.tsx`,
  `printf 'module.exports = 1;\\n' > node_modules/leftpad/index.js`,
  'echo cached > build-cache/deep/blob',
  'head -c 4096 /dev/urandom > logo.png',
  `yes 'a line of log output' | head -c 2000000 > server.log`,
  `printf '#!/bin/sh\\necho hi\\n' > run.sh && chmod +x run.sh`,
  'ln -s /etc/passwd escape-link',
  'ln -s src/components components-link',
].join(' && ');

/** The scripted agent, with the workspace set-up run as part of its first command. */
function agent(opts: ScriptedAgentOptions): ScriptHandler {
  const inner = scriptedAgent(opts);
  const first = initializerCommand(opts.features);
  return async (req, callIndex) => {
    const reply = await inner(req, callIndex);
    if ('content' in reply) {
      for (const block of reply.content) {
        if (block.type === 'tool_use' && (block.input as { command?: string }).command === first) block.input = { command: `${WORKSPACE_SETUP} && ${first}` };
      }
    }
    return reply;
  };
}

async function tokenFor(api: ApiClient): Promise<string> {
  const res = await api.json('POST', '/api/tokens', { name: 'downloads' });
  expect(res.status).toBe(201);
  return res.body.token as string;
}

/** Downloads both archives of a build through the API and extracts them with tar and unzip. */
async function extractBoth(api: ApiClient, buildId: string, dir: string, fetchTarGz: () => Promise<Response>) {
  const tarRes = await fetchTarGz();
  expect(tarRes.status).toBe(200);
  const tarBytes = Buffer.from(await tarRes.arrayBuffer());
  const zipRes = await api.request('GET', `/api/builds/${buildId}/artifact?format=zip`);
  expect(zipRes.status).toBe(200);
  expect(zipRes.headers.get('content-type')).toBe('application/zip');
  expect(zipRes.headers.get('content-disposition')).toMatch(/^attachment; filename="notes-app-[0-9a-f]{8}\.zip"$/);
  fs.mkdirSync(path.join(dir, 'tar'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'zip'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'a.tar.gz'), tarBytes);
  fs.writeFileSync(path.join(dir, 'a.zip'), Buffer.from(await zipRes.arrayBuffer()));
  execFileSync('tar', ['xzf', path.join(dir, 'a.tar.gz'), '-C', path.join(dir, 'tar')]);
  execFileSync('unzip', ['-q', path.join(dir, 'a.zip'), '-d', path.join(dir, 'zip')]);
  return { tarBytes, tarTree: describeTree(path.join(dir, 'tar')), zipTree: describeTree(path.join(dir, 'zip')), tarDir: path.join(dir, 'tar') };
}

describe('the artifact API on local storage', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let api: ApiClient;
  let other: ApiClient;
  let buildId: string;
  let releaseFirstCodingSession: () => void;

  beforeAll(async () => {
    const held = new Promise<void>((resolve) => (releaseFirstCodingSession = resolve));
    model = await startScriptedAnthropic(agent({ features: 2, hold: { codingSession: 1, until: held } }));
    platform = await startTestPlatform(testEnv(model.url, { ARTIFACT_EXCLUDE: 'node_modules, build-cache' }));
    api = new ApiClient(platform.url);
    await api.signUp();
    other = new ApiClient(platform.url);
    await other.signUp();
  });
  afterAll(async () => {
    releaseFirstCodingSession?.();
    await platform?.stop();
    await model?.close();
  });

  it('answers 404 for downloads until the artifact exists, while browsing shows the latest checkpoint', async () => {
    const created = await api.json('POST', '/api/builds', { spec: SPEC });
    expect(created.status).toBe(201);
    buildId = created.body.id;

    // The first coding session is held, so the build sits after its first checkpoint.
    const listing = await waitFor('the first checkpoint', async () => {
      const res = await api.json('GET', `/api/builds/${buildId}/files`);
      return res.status === 200 && res.body;
    });
    expect(listing.source).toMatchObject({ kind: 'checkpoint', iteration: 1 });
    expect(listing.entries.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['src', 'app_spec.txt', 'feature_list.json']));
    for (const format of ['tar.gz', 'zip']) {
      const res = await api.json('GET', `/api/builds/${buildId}/artifact?format=${format}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({ code: 'not_found', message: expect.stringContaining('no artifact yet') });
    }
    releaseFirstCodingSession();
  });

  it('serves tar.gz and zip downloads that extract to the same files, without the excluded folders', async () => {
    const build = await waitForBuild(api, buildId, 'the build to complete', (b) => b.status === 'completed');
    const dir = fs.mkdtempSync(path.join(inject('tmpRoot'), 'artifact-api-'));
    const { tarBytes, tarTree, zipTree, tarDir } = await extractBoth(api, buildId, dir, () => api.request('GET', `/api/builds/${buildId}/artifact?format=tar.gz`));

    expect(createHash('sha256').update(tarBytes).digest('hex')).toBe(build.artifact.sha256);
    expect(zipTree).toEqual(tarTree);
    expect(tarTree).toMatchObject({
      'src/components/App.tsx': expect.stringMatching(/^file /),
      'run.sh': expect.stringMatching(/executable$/),
      'escape-link': 'symlink -> /etc/passwd',
      'components-link': 'symlink -> src/components',
      '.git': 'folder',
    });
    expect(Object.keys(tarTree).filter((p) => p.startsWith('node_modules') || p.startsWith('build-cache'))).toEqual([]);
    expect(JSON.parse(fs.readFileSync(path.join(tarDir, 'feature_list.json'), 'utf8')).every((f: { passes: boolean }) => f.passes)).toBe(true);
    const files = Object.values(tarTree).filter((d) => d.startsWith('file ')).length;
    expect(build.artifact.fileCount).toBe(files);
  });

  it('lists folders and returns text files of the artifact, refusing binary and oversized ones', async () => {
    const root = await api.json('GET', `/api/builds/${buildId}/files`);
    expect(root.status).toBe(200);
    expect(root.body.source).toMatchObject({ kind: 'artifact', iteration: null });
    expect(root.body.entries.find((e: { name: string }) => e.name === 'escape-link')).toMatchObject({ type: 'symlink', target: '/etc/passwd' });
    expect(root.body.entries.some((e: { name: string }) => e.name === 'node_modules')).toBe(false);

    const viaLink = await api.json('GET', `/api/builds/${buildId}/files?path=components-link`);
    expect(viaLink.body).toMatchObject({ path: 'src/components', entries: [{ name: 'App.tsx', type: 'file', path: 'src/components/App.tsx' }] });

    const text = await api.request('GET', `/api/builds/${buildId}/files/content?path=${encodeURIComponent('src/components/App.tsx')}`);
    expect(text.status).toBe(200);
    expect(text.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await text.text()).toBe('export const App = () => null;\n');

    const expectError = async (query: string, status: number, code: string) => {
      const res = await api.json('GET', `/api/builds/${buildId}/files${query}`);
      expect(res.status, query).toBe(status);
      expect(res.body.error, query).toEqual({ code, message: expect.any(String) });
    };
    await expectError('/content?path=logo.png', 422, 'binary_file');
    await expectError('/content?path=server.log', 413, 'file_too_large');
    await expectError('/content?path=src', 400, 'not_a_file');
    await expectError('?path=run.sh', 400, 'not_a_folder');
    await expectError('/content?path=missing.txt', 404, 'not_found');
    await expectError('?path=no/such/folder', 404, 'not_found');
  });

  it('refuses paths that climb out of the workspace with 400', async () => {
    for (const p of ['../../etc/passwd', '/etc/passwd', 'src/../../etc/passwd', '..', 'escape-link', 'src/..\\..\\etc']) {
      for (const route of ['files', 'files/content']) {
        const res = await api.json('GET', `/api/builds/${buildId}/${route}?path=${encodeURIComponent(p)}`);
        expect(res.status, `${route} ${p}`).toBe(400);
        expect(res.body.error.code, `${route} ${p}`).toBe('invalid_input');
        expect(res.body.error.message, `${route} ${p}`).toMatch(/^path: /);
      }
    }
    // Encoded dots are decoded before the check, not after.
    const encoded = await api.json('GET', `/api/builds/${buildId}/files/content?path=%2e%2e%2f%2e%2e%2fetc%2fpasswd`);
    expect(encoded.status).toBe(400);
  });

  it("hides another user's build: artifact and files answer 404", async () => {
    for (const p of ['artifact?format=tar.gz', 'artifact?format=zip', 'files', 'files?path=src', 'files/content?path=app_spec.txt']) {
      const res = await other.json('GET', `/api/builds/${buildId}/${p}`);
      expect(res.status, p).toBe(404);
      expect(res.body.error.code, p).toBe('not_found');
    }
  });
});

describe('a build with no saved workspace yet', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let cookie: string;
  let buildId: string;

  beforeAll(async () => {
    // No worker polls this app's task queue: the build stays queued, with nothing saved.
    t = await createTestApp('no-workspace');
    cookie = await signUpCookie(t.app);
    const res = await t.app.request('/api/builds', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ spec: SPEC }) });
    buildId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 404 with a reason for downloads and browsing', async () => {
    for (const p of ['artifact', 'artifact?format=zip', 'files', 'files/content?path=app_spec.txt']) {
      const res = await t.app.request(`/api/builds/${buildId}/${p}`, { headers: { cookie } });
      expect(res.status, p).toBe(404);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code, p).toBe('not_found');
      expect(body.error.message, p).toMatch(/no artifact yet|no saved workspace yet/);
    }
  });
});

describe('the artifact API on S3 (MinIO)', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(inject('minio'), `builds-${randomUUID().slice(0, 8)}`);
    model = await startScriptedAnthropic(agent({ features: 2 }));
    platform = await startTestPlatform(testEnv(model.url, { ...minioEnv(inject('minio'), bucket), CHECKPOINT_RETENTION: '2' }));
  });
  afterAll(async () => {
    await platform?.stop();
    await model?.close();
  });

  it('stops the start with a message naming S3_BUCKET when the bucket does not exist', async () => {
    const env = testEnv(model.url, minioEnv(inject('minio'), 'no-such-bucket'));
    await expect(startTestPlatform(env)).rejects.toThrow(/S3_BUCKET=no-such-bucket .*does not exist/);
  });

  it('completes a build whose download redirects to a short-lived presigned URL that really downloads', async () => {
    const api = new ApiClient(platform.url);
    await api.signUp();
    const { body: created } = await api.json('POST', '/api/builds', { spec: SPEC });
    const build = await waitForBuild(api, created.id, 'the S3 build to complete', (b) => b.status === 'completed');
    expect(build.artifact).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), fileCount: expect.any(Number) });

    const token = await tokenFor(api);
    const redirect = await fetch(`${platform.url}/api/builds/${build.id}/artifact?format=tar.gz`, { headers: { authorization: `Bearer ${token}` }, redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('cache-control')).toBe('no-store');
    const location = redirect.headers.get('location')!;
    expect(location.startsWith(`${inject('minio').endpoint}/${bucket}/builds/${build.id}/workspace.tar.gz?`)).toBe(true);
    expect(new URL(location).searchParams.get('X-Amz-Expires')).toBe('300');

    // The zip is converted by the API from the object in S3; both extract to the same files.
    const dir = fs.mkdtempSync(path.join(inject('tmpRoot'), 'artifact-s3-'));
    const { tarBytes, tarTree, zipTree } = await extractBoth(api, build.id, dir, () => fetch(location));
    expect(createHash('sha256').update(tarBytes).digest('hex')).toBe(build.artifact.sha256);
    expect(zipTree).toEqual(tarTree);
    expect(tarTree['feature_list.json']).toMatch(/^file /);

    const listing = await api.json('GET', `/api/builds/${build.id}/files?path=src`);
    expect(listing.body).toMatchObject({ source: { kind: 'artifact' }, entries: [{ name: 'components', type: 'directory' }] });
    const spec = await api.request('GET', `/api/builds/${build.id}/files/content?path=app_spec.txt`);
    expect(await spec.text()).toBe(SPEC);

    // Three sessions, three checkpoints, two kept: each an archive and its index.
    const storage = new S3ArtifactStorage({ ...inject('minio'), bucket });
    try {
      const checkpoints = (await storage.list(`builds/${build.id}/checkpoints/`)).map((o) => o.key.split('/').pop());
      expect(checkpoints).toEqual(['000002.tar.gz', '000002.tar.gz.index.jsonl.gz', '000003.tar.gz', '000003.tar.gz.index.jsonl.gz']);
    } finally {
      storage.close();
    }
  });
});
