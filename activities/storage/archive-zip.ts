import { Readable } from 'node:stream';
import type * as tar from 'tar';
import yazl from 'yazl';
import { createArchiveParser, parseArchive, type ArchiveEntry } from './archive-entries.ts';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

interface PendingHardLink {
  path: string;
  linkTo: string;
  mtime: Date;
  mode: number;
}

/**
 * Converts a stored workspace tar.gz into a zip as it streams: each tar entry's body goes
 * straight into the zip, and the tar is read only as fast as the zip is consumed, so neither
 * archive is ever held in memory. Symlinks stay symlinks (as unzip restores them).
 *
 * Hard links need the bytes of a file that came earlier in the tar, which a single pass cannot
 * give back without buffering; they are filled in by further passes over `reopen()`'s stream.
 */
export function tarGzToZip(archive: Readable, reopen: () => Promise<Readable | null>): Readable {
  const zip = new yazl.ZipFile();
  // yazl's outputStream is a PassThrough; its typings only promise the older interface.
  const output = zip.outputStream as Readable;
  zip.on('error', (err: Error) => output.destroy(err));
  // A client that goes away stops the reading of the tar too.
  const reading = new Set<Readable>([archive]);
  output.on('close', () => reading.forEach((s) => s.destroy()));
  const reopenTracked = async () => {
    const source = await reopen();
    if (source) reading.add(source);
    return source;
  };

  const hardLinks: PendingHardLink[] = [];
  const convert = async () => {
    await parseArchive(
      archive,
      createArchiveParser((entry, raw) => {
        if (!entry || entry.path === '') return void raw.resume();
        if (entry.linkTo) {
          hardLinks.push({ path: entry.path, linkTo: entry.linkTo, mtime: mtimeOf(raw), mode: S_IFREG | permissions(raw, 0o644) });
          return void raw.resume();
        }
        addEntry(zip, entry, raw);
      }),
    );
    await addHardLinks(zip, hardLinks, reopenTracked);
    zip.end();
  };
  convert().catch((err: Error) => output.destroy(err));
  return output;
}

function addEntry(zip: yazl.ZipFile, entry: ArchiveEntry, raw: tar.ReadEntry, name = entry.path): void {
  const mtime = mtimeOf(raw);
  try {
    if (entry.type === 'directory') {
      zip.addEmptyDirectory(name, { mtime, mode: S_IFDIR | permissions(raw, 0o755) });
      raw.resume();
    } else if (entry.type === 'symlink') {
      zip.addBuffer(Buffer.from(entry.target ?? ''), name, { mtime, mode: S_IFLNK | 0o777, compress: false });
      raw.resume();
    } else {
      const body = Readable.from(raw, { objectMode: false });
      zip.addReadStreamLazy(name, { mtime, mode: S_IFREG | permissions(raw, 0o644), size: entry.sizeBytes }, (cb) => cb(null, body));
    }
  } catch {
    // yazl refuses names a zip cannot hold portably; such an entry is left out rather than failing the download.
    raw.resume();
  }
}

/** One pass per round; each round adds at most one link per target, so no file's bytes are needed twice in a pass. */
async function addHardLinks(zip: yazl.ZipFile, links: PendingHardLink[], reopen: () => Promise<Readable | null>): Promise<void> {
  const byTarget = new Map<string, PendingHardLink[]>();
  for (const link of links) byTarget.set(link.linkTo, [...(byTarget.get(link.linkTo) ?? []), link]);
  while (byTarget.size > 0) {
    const round = new Map<string, PendingHardLink>();
    for (const [target, pending] of byTarget) {
      round.set(target, pending.shift()!);
      if (pending.length === 0) byTarget.delete(target);
    }
    const source = await reopen();
    if (!source) throw new Error('The workspace archive disappeared from storage while it was being zipped');
    await parseArchive(
      source,
      createArchiveParser((entry, raw) => {
        const link = entry?.type === 'file' && !entry.linkTo ? round.get(entry.path) : undefined;
        if (!entry || !link) return void raw.resume();
        round.delete(entry.path);
        addEntry(zip, entry, raw, link.path);
      }),
    );
  }
}

function mtimeOf(raw: tar.ReadEntry): Date {
  // Portable archives carry no folder times; zip needs one, and "now" is what a fresh folder would get.
  return raw.mtime ?? new Date();
}

function permissions(raw: tar.ReadEntry, fallback: number): number {
  return raw.mode ? raw.mode & 0o7777 : fallback;
}
