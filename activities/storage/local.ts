import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MeasuringStream } from './measuring-stream.ts';
import { assertValidKey, type ArtifactStorage, type ObjectInfo, type StoredObject } from './storage.ts';

/**
 * Objects as files under a root folder. Writes land in a hidden temp file beside the target,
 * then a rename makes them visible, so readers never see half an object.
 */
export class LocalArtifactStorage implements ArtifactStorage {
  readonly kind = 'local';

  constructor(private readonly root: string) {}

  async put(key: string, body: Readable): Promise<StoredObject> {
    const target = this.pathOf(key);
    await fs.mkdir(path.dirname(target), { recursive: true });
    // Keys never have `.`-led segments, so temp files can never be mistaken for objects.
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomUUID()}.part`);
    const measure = new MeasuringStream();
    try {
      await pipeline(body, measure, createWriteStream(temp));
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    return { key, sizeBytes: measure.sizeBytes, sha256: measure.sha256() };
  }

  async get(key: string): Promise<Readable | null> {
    // Open first, so a missing file is null here rather than an error event on the stream.
    const handle = await fs.open(this.pathOf(key), 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    return handle?.createReadStream() ?? null;
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const stat = await fs.stat(this.pathOf(key)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    return stat?.isFile() ? { key, sizeBytes: stat.size, modifiedAt: stat.mtime } : null;
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    // Walk only the folder the prefix points into: `builds/x/check` lists `builds/x/`.
    const folder = prefix.endsWith('/') || prefix === '' ? prefix : path.posix.dirname(prefix) === '.' ? '' : `${path.posix.dirname(prefix)}/`;
    if (folder) assertValidKey(folder.slice(0, -1));
    const found: ObjectInfo[] = [];
    const walk = async (relDir: string): Promise<void> => {
      const entries = await fs.readdir(path.join(this.root, relDir), { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
        throw err;
      });
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const key = `${relDir}${entry.name}`;
        if (entry.isDirectory()) {
          if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(`${key}/`);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const stat = await fs.stat(path.join(this.root, key)).catch(() => null);
          if (stat) found.push({ key, sizeBytes: stat.size, modifiedAt: stat.mtime });
        }
      }
    };
    await walk(folder);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    await fs.rm(this.pathOf(key), { force: true });
  }

  /** Local files have no URL of their own: the API streams them. */
  async presignedGetUrl(): Promise<string | null> {
    return null;
  }

  private pathOf(key: string): string {
    assertValidKey(key);
    return path.join(this.root, key);
  }
}
