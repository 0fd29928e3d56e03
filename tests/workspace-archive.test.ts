import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { ArchiveBrowseError, listArchiveFolder, readArchiveTextFile, resolveArchivePath } from '../activities/storage/archive-browse.ts';
import { indexKeyOf } from '../activities/storage/archive-index.ts';
import { tarGzToZip } from '../activities/storage/archive-zip.ts';
import { LocalArtifactStorage } from '../activities/storage/local.ts';
import { storeArchive, type StoredArchive } from '../activities/storage/workspace-archives.ts';
import { describeTree } from './support/file-tree.ts';

const KEY = 'builds/b/workspace.tar.gz';
const MAX = 64 * 1024;

/** A workspace with every kind of entry browsing and zipping must handle. */
function makeWorkspace(root: string): void {
  const write = (p: string, content: string | Buffer, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content, { mode });
  };
  write('README.md', '# Todo app\n');
  write('src/app.ts', 'export const app = 1;\n');
  write('src/lib/util.ts', 'export const util = 2;\n');
  write('src/lib/deep/nested/file.txt', 'deep\n');
  write('run.sh', '#!/bin/sh\necho run\n', 0o755);
  write('data.bin', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02, 0xff]));
  write('latin1.txt', Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1: not UTF-8
  write('big.log', 'x'.repeat(MAX + 1));
  write('notes/ünïcødé name.md', 'unicode\n');
  fs.mkdirSync(path.join(root, 'empty-dir'));
  fs.symlinkSync('../README.md', path.join(root, 'src/readme-link'));
  fs.symlinkSync('src/lib', path.join(root, 'lib-link'));
  fs.symlinkSync('/etc/passwd', path.join(root, 'passwd-link'));
  fs.symlinkSync('../../..', path.join(root, 'src/up'));
  fs.symlinkSync('loop-b', path.join(root, 'loop-a'));
  fs.symlinkSync('loop-a', path.join(root, 'loop-b'));
  fs.linkSync(path.join(root, 'src/app.ts'), path.join(root, 'src/app-hardlink.ts'));
}

function archiveOf(dir: string): Readable {
  return Readable.from(tar.create({ gzip: true, cwd: dir, portable: true }, ['.']), { objectMode: false });
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ArchiveBrowseError) return err.reason;
    throw err;
  }
  throw new Error('expected a browse failure');
}

describe('workspace archives: index, browsing and zip', () => {
  let root: string;
  let workspace: string;
  let storage: LocalArtifactStorage;
  let stored: StoredArchive;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(inject('tmpRoot'), 'archive-'));
    workspace = path.join(root, 'workspace');
    fs.mkdirSync(workspace);
    makeWorkspace(workspace);
    storage = new LocalArtifactStorage(path.join(root, 'store'));
    stored = await storeArchive(storage, KEY, archiveOf(workspace));
  });

  it('counts the files while storing the archive, and stores its index beside it', async () => {
    // README, app.ts, util.ts, file.txt, run.sh, data.bin, latin1.txt, big.log, unicode, hard link.
    expect(stored.fileCount).toBe(10);
    expect(await storage.head(indexKeyOf(KEY))).not.toBeNull();
  });

  it('lists a folder: folders first, symlinks with their targets, hard links with their size', async () => {
    const root = await listArchiveFolder(storage, stored, '', 100);
    expect(root.entries.map((e) => `${e.type} ${e.name}`)).toEqual([
      'directory empty-dir',
      'directory notes',
      'directory src',
      'file README.md',
      'file big.log',
      'file data.bin',
      'file latin1.txt',
      'symlink lib-link',
      'symlink loop-a',
      'symlink loop-b',
      'symlink passwd-link',
      'file run.sh',
    ]);
    expect(root.entries.find((e) => e.name === 'passwd-link')?.target).toBe('/etc/passwd');
    expect(root.truncated).toBe(false);
    const src = await listArchiveFolder(storage, stored, 'src/', 100);
    expect(src.path).toBe('src');
    // One of the two names is archived as a hard link to the other; both show the file's size.
    expect(src.entries.filter((e) => e.name.startsWith('app')).map((e) => [e.name, e.type, e.sizeBytes])).toEqual([
      ['app-hardlink.ts', 'file', 22],
      ['app.ts', 'file', 22],
    ]);
    expect(src.entries.map((e) => e.path)).toContain('src/lib');
  });

  it('follows symlinks that stay inside the workspace', async () => {
    const viaLink = await listArchiveFolder(storage, stored, 'lib-link', 100);
    expect(viaLink.path).toBe('src/lib');
    expect(viaLink.entries.map((e) => e.name)).toEqual(['deep', 'util.ts']);
    expect((await readArchiveTextFile(storage, stored, 'src/readme-link', MAX)).text).toBe('# Todo app\n');
    expect((await readArchiveTextFile(storage, stored, 'lib-link/deep/nested/file.txt', MAX)).text).toBe('deep\n');
  });

  it('refuses symlinks that lead outside the workspace, and symlink loops', async () => {
    expect(await failure(readArchiveTextFile(storage, stored, 'passwd-link', MAX))).toBe('outside_workspace');
    expect(await failure(listArchiveFolder(storage, stored, 'src/up', 100))).toBe('outside_workspace');
    expect(await failure(readArchiveTextFile(storage, stored, 'src/up/etc/passwd', MAX))).toBe('outside_workspace');
    expect(await failure(readArchiveTextFile(storage, stored, 'loop-a', MAX))).toBe('outside_workspace');
    expect(() => resolveArchivePath('a/b', { a: 'x/../../y' })).toThrow(/outside the workspace/);
    expect(resolveArchivePath('a/b', { a: 'x/./../y/' })).toBe('y/b');
  });

  it('reads text files, including hard links, and refuses binary, oversized and missing ones', async () => {
    expect(await readArchiveTextFile(storage, stored, 'src/app.ts', MAX)).toEqual({ path: 'src/app.ts', sizeBytes: 22, text: 'export const app = 1;\n' });
    expect((await readArchiveTextFile(storage, stored, 'src/app-hardlink.ts', MAX)).text).toBe('export const app = 1;\n');
    expect((await readArchiveTextFile(storage, stored, 'notes/ünïcødé name.md', MAX)).text).toBe('unicode\n');
    expect(await failure(readArchiveTextFile(storage, stored, 'data.bin', MAX))).toBe('binary');
    expect(await failure(readArchiveTextFile(storage, stored, 'latin1.txt', MAX))).toBe('binary');
    expect(await failure(readArchiveTextFile(storage, stored, 'big.log', MAX))).toBe('too_large');
    expect(await failure(readArchiveTextFile(storage, stored, 'src', MAX))).toBe('not_a_file');
    expect(await failure(readArchiveTextFile(storage, stored, 'src/nope.ts', MAX))).toBe('not_found');
    expect(await failure(listArchiveFolder(storage, stored, 'README.md', 100))).toBe('not_a_folder');
    expect(await failure(listArchiveFolder(storage, stored, 'nope', 100))).toBe('not_found');
  });

  it('says when a folder holds more entries than it lists', async () => {
    const listing = await listArchiveFolder(storage, stored, '', 3);
    expect(listing.entries).toHaveLength(3);
    expect(listing.truncated).toBe(true);
  });

  it('rebuilds an index that is missing or describes an older archive', async () => {
    await storage.delete(indexKeyOf(KEY));
    expect((await listArchiveFolder(storage, stored, 'src/lib', 100)).entries.map((e) => e.name)).toEqual(['deep', 'util.ts']);
    expect(await storage.head(indexKeyOf(KEY))).not.toBeNull();

    // The archive replaced (a resumed build saved again) while the old index stayed.
    const other = path.join(root, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'only.txt'), 'new archive\n');
    const staleIndex = await storage.get(indexKeyOf(KEY));
    const replaced = await storeArchive(storage, KEY, archiveOf(other));
    await storage.put(indexKeyOf(KEY), staleIndex!);
    expect((await listArchiveFolder(storage, replaced, '', 100)).entries.map((e) => e.name)).toEqual(['only.txt']);
    stored = await storeArchive(storage, KEY, archiveOf(workspace));
  });

  it('indexes a workspace that compresses a thousandfold (a big file of zeros), which is no zip bomb here', async () => {
    const zeros = path.join(root, 'zeros');
    fs.mkdirSync(zeros);
    fs.writeFileSync(path.join(zeros, 'disk.img'), Buffer.alloc(64 * 1024 * 1024));
    const key = 'builds/zeros/workspace.tar.gz';
    const archive = await storeArchive(storage, key, archiveOf(zeros));
    expect(archive.sizeBytes).toBeLessThan(256 * 1024);
    expect(archive.fileCount).toBe(1);
    expect((await listArchiveFolder(storage, archive, '', 10)).entries).toMatchObject([{ name: 'disk.img', sizeBytes: 64 * 1024 * 1024 }]);
  });

  it('converts the archive to a zip that unzips to the same files, symlinks and modes as the tar.gz', async () => {
    const fromTar = path.join(root, 'from-tar');
    const fromZip = path.join(root, 'from-zip');
    fs.mkdirSync(fromTar);
    fs.mkdirSync(fromZip);
    // GNU tar, as a person would: node-tar's extractor rewrites links that point outside.
    await pipeline((await storage.get(KEY))!, fs.createWriteStream(path.join(root, 'w.tar.gz')));
    execFileSync('tar', ['xzf', path.join(root, 'w.tar.gz'), '-C', fromTar]);
    await pipeline(tarGzToZip((await storage.get(KEY))!, () => storage.get(KEY)), fs.createWriteStream(path.join(root, 'w.zip')));
    execFileSync('unzip', ['-q', path.join(root, 'w.zip'), '-d', fromZip]);

    const expected = describeTree(fromTar);
    expect(expected['src/readme-link']).toBe('symlink -> ../README.md');
    expect(expected['run.sh']).toMatch(/executable$/);
    expect(expected['empty-dir']).toBe('folder');
    expect(expected['passwd-link']).toBe('symlink -> /etc/passwd');
    expect(describeTree(fromZip)).toEqual(expected);
    expect(describeTree(fromTar)).toEqual(describeTree(workspace));
  });
});
