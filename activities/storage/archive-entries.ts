import type { Readable } from 'node:stream';
import * as tar from 'tar';

/** One entry of a workspace archive, as the index records it and the API lists it. */
export interface ArchiveEntry {
  /** Relative to the workspace root, `/`-separated, no `./` prefix or trailing slash. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  sizeBytes: number;
  modifiedAt: string | null;
  /** Symlinks: the link's target, as written (may be absolute or lead outside; browsing checks). */
  target?: string;
  /** Hard links: the path of the archived file that holds the bytes. */
  linkTo?: string;
}

/**
 * `./src/a.ts`, `src/a.ts` and `src/` all become `src/a.ts` / `src`; the root is `''`.
 * Null for a path that is absolute or climbs out with `..` (node-tar never writes those).
 */
export function normalizeArchivePath(raw: string): string | null {
  if (raw.startsWith('/')) return null;
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') return null;
    parts.push(part);
  }
  return parts.join('/');
}

/** The entry, or null for metadata entries and devices, which a workspace archive never needs. */
export function toArchiveEntry(raw: tar.ReadEntry): ArchiveEntry | null {
  const path = normalizeArchivePath(raw.path);
  if (path === null) return null;
  const modifiedAt = raw.mtime ? raw.mtime.toISOString() : null;
  switch (raw.type) {
    case 'File':
    case 'OldFile':
    case 'ContiguousFile':
      return path ? { path, type: 'file', sizeBytes: raw.size ?? 0, modifiedAt } : null;
    case 'Directory':
      return { path, type: 'directory', sizeBytes: 0, modifiedAt };
    case 'SymbolicLink':
      return path ? { path, type: 'symlink', sizeBytes: 0, modifiedAt, target: raw.linkpath ?? '' } : null;
    case 'Link': {
      const linkTo = normalizeArchivePath(raw.linkpath ?? '');
      return path && linkTo ? { path, type: 'file', sizeBytes: 0, modifiedAt, linkTo } : null;
    }
    default:
      return null;
  }
}

/**
 * A tar parser (gzip detected by itself) that hands every entry to `onEntry`, which must consume
 * or `resume()` the entry's body: the parser waits for it, which keeps memory flat.
 */
export function createArchiveParser(onEntry: (entry: ArchiveEntry | null, raw: tar.ReadEntry) => void): tar.Parser {
  return new tar.Parser({
    // Nothing is written to disk, so a highly compressible workspace (a big file of zeros) is no
    // bomb here; the default ratio guard would refuse such legitimate archives.
    maxDecompressionRatio: Number.POSITIVE_INFINITY,
    onReadEntry: (raw) => onEntry(toArchiveEntry(raw), raw),
  });
}

/** Settles when the parser has read its archive to the end, or fails with its error. */
export function whenParsed(parser: tar.Parser): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => reject(err instanceof Error ? err : new Error(`The archive could not be read: ${String(err)}`));
    parser.on('end', () => resolve());
    parser.on('error', fail);
    parser.on('abort', fail);
  });
}

/** Feeds `source` through `parser`; settles when the archive has been read to its end. */
export function parseArchive(source: Readable, parser: tar.Parser): Promise<void> {
  const parsed = whenParsed(parser);
  source.on('error', (err) => parser.abort(err));
  parsed.catch(() => source.destroy());
  source.pipe(parser as unknown as NodeJS.WritableStream);
  return parsed;
}
