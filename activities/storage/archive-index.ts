import { Readable, Transform, Writable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip, gzipSync } from 'node:zlib';
import { createArchiveParser, whenParsed, type ArchiveEntry } from './archive-entries.ts';
import type { ArtifactStorage } from './storage.ts';

/**
 * Every stored workspace archive has an index beside it: gzipped JSON lines, a header first
 * (checksum of the archive it describes, counts, every symlink), then one line per entry.
 * Browsing reads the index instead of decompressing the whole archive on every click.
 */
export interface IndexHeader {
  version: 1;
  /** The archive this index describes; an index whose archive was replaced since is rebuilt. */
  archiveSha256: string;
  fileCount: number;
  entryCount: number;
  /** Path -> target, so a requested path can be resolved before its folder is scanned. */
  symlinks: Record<string, string>;
}

export const indexKeyOf = (archiveKey: string) => `${archiveKey}.index.jsonl.gz`;

// Lines are compressed in batches of this size, each batch a gzip member of its own (members,
// concatenated, form one valid gzip stream): until the archive is stored, only the compressed
// index, a few bytes per entry, is held in memory.
const BATCH_CHARS = 256 * 1024;

/**
 * Passes a tar.gz stream through unchanged while parsing it alongside, building its index.
 * Entry bodies are discarded as they arrive, so memory stays flat whatever the archive's size.
 */
export class ArchiveIndexer extends Transform {
  fileCount = 0;
  entryCount = 0;
  private readonly symlinks: Record<string, string> = {};
  private readonly members: Buffer[] = [];
  private batch = '';
  private readonly parser = createArchiveParser((entry, raw) => {
    raw.resume();
    if (entry) this.record(entry);
  });
  private readonly parsed = whenParsed(this.parser);

  constructor() {
    super();
    this.parsed.catch((err: Error) => this.destroy(err));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    // The parser decompresses synchronously (minizlib) and every body is resumed, so a write is
    // fully processed when it returns: its backpressure signal can be ignored.
    this.parser.write(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.parser.end();
    this.parsed.then(() => {
      this.flushBatch();
      done();
    }, done);
  }

  /** The index object's bytes, once the archive has passed through and been stored as `archiveSha256`. */
  indexBody(archiveSha256: string): Readable {
    const header: IndexHeader = { version: 1, archiveSha256, fileCount: this.fileCount, entryCount: this.entryCount, symlinks: this.symlinks };
    return Readable.from([gzipSync(`${JSON.stringify(header)}\n`), ...this.members], { objectMode: false });
  }

  private record(entry: ArchiveEntry): void {
    this.entryCount += 1;
    if (entry.type === 'file') this.fileCount += 1;
    if (entry.type === 'symlink') this.symlinks[entry.path] = entry.target ?? '';
    this.batch += `${JSON.stringify(entry)}\n`;
    if (this.batch.length >= BATCH_CHARS) this.flushBatch();
  }

  private flushBatch(): void {
    if (!this.batch) return;
    this.members.push(gzipSync(this.batch));
    this.batch = '';
  }
}

/** Builds and stores the index of an archive already in storage (one saved before indexes, or whose index is stale). */
export async function rebuildIndex(storage: ArtifactStorage, archive: { key: string; sha256: string }): Promise<boolean> {
  const source = await storage.get(archive.key);
  if (!source) return false;
  const indexer = new ArchiveIndexer();
  const discard = new Writable({ write: (_chunk, _enc, done) => done() });
  await new Promise<void>((resolve, reject) => pipeline(source, indexer, discard, (err) => (err ? reject(err) : resolve())));
  await storage.put(indexKeyOf(archive.key), indexer.indexBody(archive.sha256));
  return true;
}

export interface OpenIndex {
  header: IndexHeader;
  entries: AsyncIterable<ArchiveEntry>;
  /** Stops reading early. */
  close(): void;
}

/**
 * The archive's index, rebuilt first when it is missing or describes another archive, or null
 * when the archive itself is missing from storage.
 */
export async function openIndex(storage: ArtifactStorage, archive: { key: string; sha256: string }): Promise<OpenIndex | null> {
  const current = await readIndex(storage, archive);
  if (current) return current;
  if (!(await rebuildIndex(storage, archive))) return null;
  const rebuilt = await readIndex(storage, archive);
  if (!rebuilt) throw new Error(`The index of ${archive.key} could not be read back after it was rebuilt`);
  return rebuilt;
}

async function readIndex(storage: ArtifactStorage, archive: { key: string; sha256: string }): Promise<OpenIndex | null> {
  const source = await storage.get(indexKeyOf(archive.key));
  if (!source) return null;
  const gunzip = createGunzip();
  gunzip.setEncoding('utf8');
  pipeline(source, gunzip, () => {});
  const lines = jsonLines(gunzip)[Symbol.asyncIterator]();
  const close = () => {
    source.destroy();
    gunzip.destroy();
  };
  let header: IndexHeader | undefined;
  try {
    const first = await lines.next();
    header = first.done ? undefined : (first.value as IndexHeader);
  } catch {
    header = undefined; // An unreadable index is rebuilt like a missing one.
  }
  if (header?.version !== 1 || header.archiveSha256 !== archive.sha256) {
    close();
    return null;
  }
  return { header, entries: { [Symbol.asyncIterator]: () => lines as AsyncIterator<ArchiveEntry> }, close };
}

async function* jsonLines(text: AsyncIterable<string>): AsyncGenerator<unknown> {
  let rest = '';
  for await (const chunk of text) {
    rest += chunk;
    let newline: number;
    while ((newline = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, newline);
      rest = rest.slice(newline + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (rest) yield JSON.parse(rest);
}
