import type { Readable } from 'node:stream';
import { createArchiveParser, parseArchive, type ArchiveEntry } from './archive-entries.ts';
import { openIndex, type OpenIndex } from './archive-index.ts';
import type { ArtifactStorage } from './storage.ts';

/**
 * Reading one folder or one file of a stored workspace archive without extracting it: folders
 * come from the archive's index, a file's bytes from one pass over the archive that stops at it.
 */

export type BrowseFailure = 'outside_workspace' | 'not_found' | 'not_a_folder' | 'not_a_file' | 'too_large' | 'binary' | 'archive_missing';

export class ArchiveBrowseError extends Error {
  constructor(
    readonly reason: BrowseFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ArchiveRef {
  key: string;
  sha256: string;
}

export interface ListedEntry {
  name: string;
  path: string;
  type: ArchiveEntry['type'];
  /** Null for a hard link whose size could not be found. */
  sizeBytes: number | null;
  modifiedAt: string | null;
  target?: string;
}

export interface FolderListing {
  /** The folder listed, after following symlinks. */
  path: string;
  entries: ListedEntry[];
  /** True when the folder holds more than `limit` entries and only some are listed. */
  truncated: boolean;
}

const MAX_LINK_HOPS = 40;

/**
 * Resolves `requested` (already free of `..` and leading `/`) against the archive's symlinks the
 * way a filesystem would, refusing any link that points outside the workspace.
 */
export function resolveArchivePath(requested: string, symlinks: Record<string, string>): string {
  const pending = requested.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.' || part === '') continue;
    if (part === '..') {
      if (resolved.length === 0) throw new ArchiveBrowseError('outside_workspace', `path: "${requested}" leads outside the workspace.`);
      resolved.pop();
      continue;
    }
    const here = [...resolved, part].join('/');
    const target = symlinks[here];
    if (target === undefined) {
      resolved.push(part);
      continue;
    }
    if (++hops > MAX_LINK_HOPS) throw new ArchiveBrowseError('outside_workspace', `path: "${requested}" goes through too many symlinks (a loop?).`);
    if (target.startsWith('/') || target === '') {
      throw new ArchiveBrowseError('outside_workspace', `path: "${requested}" goes through the symlink ${here} -> ${target || '(empty)'}, which points outside the workspace.`);
    }
    // Relative targets are relative to the link's folder, which is `resolved` as it stands.
    pending.unshift(...target.split('/'));
  }
  return resolved.join('/');
}

/** The entries directly inside `requested`, folders first, then by name. */
export async function listArchiveFolder(storage: ArtifactStorage, archive: ArchiveRef, requested: string, limit: number): Promise<FolderListing> {
  const index = await requireIndex(storage, archive);
  const children = new Map<string, ListedEntry & { linkTo?: string }>();
  let folder: string;
  let found: ArchiveEntry | undefined;
  let hasChildren = false;
  let truncated = false;
  try {
    folder = resolveArchivePath(requested, index.header.symlinks);
    const prefix = folder ? `${folder}/` : '';
    for await (const entry of index.entries) {
      if (entry.path === folder) {
        found = entry;
        continue;
      }
      if (!entry.path.startsWith(prefix)) continue;
      hasChildren = true;
      const rest = entry.path.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!children.has(name) && children.size >= limit) {
        truncated = true;
        continue;
      }
      if (slash < 0) children.set(name, { ...listed(entry, name), linkTo: entry.linkTo });
      // A folder seen only through what is inside it (archives need not list every folder).
      else if (!children.has(name)) children.set(name, { name, path: `${prefix}${name}`, type: 'directory', sizeBytes: 0, modifiedAt: null });
    }
  } finally {
    index.close();
  }
  if (found && found.type !== 'directory') throw new ArchiveBrowseError('not_a_folder', `path: "${requested}" is a file, not a folder; read it with /files/content.`);
  if (!found && !hasChildren && folder !== '') throw new ArchiveBrowseError('not_found', `There is no folder "${requested}" in this workspace.`);

  const links = [...children.values()].filter((c) => c.linkTo);
  if (links.length > 0) await fillHardLinkSizes(storage, archive, links);
  const entries = [...children.values()]
    .map(({ linkTo: _linkTo, ...entry }) => entry)
    .sort((a, b) => (a.type === 'directory') !== (b.type === 'directory') ? (a.type === 'directory' ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  return { path: folder, entries, truncated };
}

/** The text of one file, refused when it is larger than `maxBytes` or is not UTF-8 text. */
export async function readArchiveTextFile(
  storage: ArtifactStorage,
  archive: ArchiveRef,
  requested: string,
  maxBytes: number,
): Promise<{ path: string; sizeBytes: number; text: string }> {
  const index = await requireIndex(storage, archive);
  let path: string;
  let entry: ArchiveEntry | undefined;
  let isFolder = false;
  try {
    path = resolveArchivePath(requested, index.header.symlinks);
    for await (const e of index.entries) {
      if (e.path === path) {
        entry = e;
        break;
      }
      if (path === '' || e.path.startsWith(`${path}/`)) isFolder = true;
    }
  } finally {
    index.close();
  }
  if (entry?.type === 'directory' || (!entry && isFolder)) throw new ArchiveBrowseError('not_a_file', `path: "${requested}" is a folder; list it with /files?path=.`);
  if (!entry) throw new ArchiveBrowseError('not_found', `There is no file "${requested}" in this workspace.`);
  if (!entry.linkTo && entry.sizeBytes > maxBytes) throw tooLarge(requested, entry.sizeBytes, maxBytes);

  const source = await storage.get(archive.key);
  if (!source) throw new ArchiveBrowseError('archive_missing', 'The stored workspace archive is missing from storage.');
  const bytes = await readEntryBytes(source, entry.linkTo ?? entry.path, maxBytes);
  if (bytes === null) throw new ArchiveBrowseError('not_found', `There is no file "${requested}" in this workspace.`);
  if (bytes === 'too_large') throw tooLarge(requested, null, maxBytes);
  const text = decodeText(bytes);
  if (text === null) throw new ArchiveBrowseError('binary', `path: "${requested}" is a binary file; download the workspace to open it.`);
  return { path, sizeBytes: bytes.length, text };
}

async function requireIndex(storage: ArtifactStorage, archive: ArchiveRef): Promise<OpenIndex> {
  const index = await openIndex(storage, archive);
  if (!index) throw new ArchiveBrowseError('archive_missing', 'The stored workspace archive is missing from storage.');
  return index;
}

function listed(entry: ArchiveEntry, name: string): ListedEntry {
  return {
    name,
    path: entry.path,
    type: entry.type,
    sizeBytes: entry.linkTo ? null : entry.sizeBytes,
    modifiedAt: entry.modifiedAt,
    ...(entry.target !== undefined && { target: entry.target }),
  };
}

/** Hard links carry no size of their own: it is their target's, found in a second pass over the index. */
async function fillHardLinkSizes(storage: ArtifactStorage, archive: ArchiveRef, links: Array<ListedEntry & { linkTo?: string }>): Promise<void> {
  const wanted = new Map(links.map((l) => [l.linkTo!, l]));
  const index = await requireIndex(storage, archive);
  try {
    for await (const e of index.entries) {
      const link = wanted.get(e.path);
      if (link && !e.linkTo) link.sizeBytes = e.sizeBytes;
    }
  } finally {
    index.close();
  }
}

/** Reads the archive only as far as the file at `path`: its bytes, 'too_large', or null when absent. */
async function readEntryBytes(source: Readable, path: string, maxBytes: number): Promise<Buffer | 'too_large' | null> {
  try {
    return await new Promise<Buffer | 'too_large' | null>((resolve, reject) => {
      let done = false;
      const parser = createArchiveParser((entry, raw) => {
        if (done || entry?.path !== path || entry.type !== 'file' || entry.linkTo) {
          raw.resume();
          return;
        }
        done = true;
        const chunks: Buffer[] = [];
        let size = 0;
        raw.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxBytes) chunks.push(chunk);
        });
        raw.on('end', () => resolve(size > maxBytes ? 'too_large' : Buffer.concat(chunks)));
      });
      parseArchive(source, parser).then(() => resolve(null), reject);
    });
  } finally {
    // Found early: the rest of the archive is never read.
    source.destroy();
  }
}

function decodeText(bytes: Buffer): string | null {
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function tooLarge(requested: string, sizeBytes: number | null, maxBytes: number): ArchiveBrowseError {
  const size = sizeBytes === null ? 'larger than' : `${sizeBytes} bytes, over`;
  return new ArchiveBrowseError('too_large', `path: "${requested}" is ${size} the ${Math.round(maxBytes / 1024)} KB shown in the browser; download the workspace to open it.`);
}
