import * as fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Clock } from '../../core/clock';
import { asyncCodec, type PipelineSerializer } from '../../core/pipeline';
import type { CacheSerializer } from '../../core/serializer';
import { decodeEntry, encodeEntry } from './file-entry.codec';
import { tempPath, type EntryLocation } from './file-paths';
import { noatimeRefused, readFlags } from './file-read-flags';
import { remove } from './file-sweep';

// The callback API is markedly faster than fs/promises (no FileHandle objects, fewer promises).
const open = promisify(fs.open);
const fstat = promisify(fs.fstat);
const rename = promisify(fs.rename);

/**
 * Bytes asked for by the first read of an entry. A file that fits is read in one call, without a
 * `stat` first; a larger one costs a `fstat` and a second read.
 */
const FIRST_READ_BYTES = 16 * 1024;
/** First-read buffers kept for reuse (each is decoded to strings before it is handed back). */
const SPARE_BUFFERS = 8;
/** Windows refuses to rename a file that is still open; elsewhere the close overlaps the rename. */
const CLOSE_BEFORE_RENAME = process.platform === 'win32';

/** `fs.read` at `position`, resolving the bytes read. */
function read(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/** `fs.write` at `position`, resolving the bytes written. */
function write(fd: number, buf: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.write(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/** Closes `fd` off the critical path; a failed close of a file already read or renamed changes nothing. */
function closeLater(fd: number): void {
  fs.close(fd, () => undefined);
}

/** A decoded, unexpired entry of the key asked for. */
export interface LiveEntry {
  value: unknown;
  expiresAt: number | undefined;
}

/**
 * Reads and writes the entry files of one namespace: a read verifies the file and its key, a write
 * replaces the file atomically. `onWrite` hears the size of every file written (for the figures).
 */
export class FileEntries {
  private readonly spare: Buffer[] = [];

  constructor(
    private readonly serializer: CacheSerializer,
    private readonly clock: Clock,
    private readonly onWrite: (bytes: number) => void,
    /** Told before a key is written; may return a step to await first (see `FileStore.marking`). */
    private readonly beforeWrite: (key: string) => Promise<void> | undefined = () => undefined,
  ) {
    this.codec = asyncCodec(serializer);
  }

  private readonly codec?: PipelineSerializer;

  /** The epoch ms at which an entry written now with `ttlMs` expires (`undefined`: never). */
  expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.clock.now() + ttlMs;
  }

  /**
   * The entry of `loc` if present, intact, of this key and not expired. Damaged files are removed;
   * with `strict` (reads for the caller), a value that cannot be decoded (such as one failing
   * authentication) also rejects, so the cache counts it as an error (and answers a miss).
   */
  async read(loc: EntryLocation, strict = false): Promise<LiveEntry | undefined> {
    let fd: number;
    try {
      fd = await openForReading(loc.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const first = this.spare.pop() ?? Buffer.allocUnsafe(FIRST_READ_BYTES);
    let buf: Buffer;
    try {
      buf = await readWhole(fd, first);
    } catch (err) {
      this.giveBack(first);
      throw err;
    } finally {
      // The file is never written once it has its name (writers rename a new file over it): what
      // was read is complete, and the close need not hold up the caller.
      closeLater(fd);
    }
    const entry = decodeEntry(buf);
    // Decoding copied out the key and value text: the buffer can serve the next read.
    this.giveBack(first);
    if (!entry) {
      await remove(loc.file).catch(() => undefined);
      return undefined;
    }
    // A hash collision (or a foreign file of the same name) is a miss, never another key's value.
    if (entry.keyText !== loc.keyText) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) return undefined;
    try {
      const text = entry.valueText;
      const value = this.codec
        ? await this.codec.deserializeAsync(text, loc.key)
        : this.serializer.deserialize(text, loc.key);
      return { value, expiresAt: entry.expiresAt };
    } catch (err) {
      await remove(loc.file).catch(() => undefined);
      if (strict) throw err;
      return undefined;
    }
  }

  /** Serialises `value` (a CacheSerializationError naming the key when it cannot be stored). */
  serialize(value: unknown, key: string): string {
    return this.serializer.serialize(value, key);
  }

  /** {@link serialize}, compressing large values off the event loop when the store compresses. */
  async encode(value: unknown, key: string): Promise<string> {
    return this.codec ? this.codec.serializeAsync(value, key) : this.serializer.serialize(value, key);
  }

  /** Writes a temp file beside the entry and renames it over: readers see the old or the new file. */
  async write(loc: EntryLocation, text: string, expiresAt: number | undefined): Promise<void> {
    const before = this.beforeWrite(loc.key);
    if (before !== undefined) await before;
    const data = encodeEntry(loc.keyText, text, expiresAt);
    const tmp = tempPath(loc.file);
    const fd = await createExclusive(tmp, loc.dir);
    try {
      await writeAll(fd, data);
      if (CLOSE_BEFORE_RENAME) await promisify(fs.close)(fd);
    } catch (err) {
      if (!CLOSE_BEFORE_RENAME) closeLater(fd);
      await remove(tmp).catch(() => undefined);
      throw err;
    }
    // The data is complete before the rename gives the file its name; closing the descriptor
    // meanwhile saves a round trip through the thread pool.
    if (!CLOSE_BEFORE_RENAME) closeLater(fd);
    try {
      await rename(tmp, loc.file);
    } catch (err) {
      await remove(tmp).catch(() => undefined);
      throw err;
    }
    this.onWrite(data.length);
  }

  private giveBack(buf: Buffer): void {
    if (this.spare.length < SPARE_BUFFERS) this.spare.push(buf);
  }
}

async function openForReading(file: string): Promise<number> {
  try {
    return await open(file, readFlags());
  } catch (err) {
    if (noatimeRefused(err)) return open(file, readFlags());
    throw err;
  }
}

/**
 * The whole content of the open file `fd`, read into `first` when it fits (then the result is a
 * view of `first`), else into a buffer of the size `fstat` reports.
 */
async function readWhole(fd: number, first: Buffer): Promise<Buffer> {
  const n = await read(fd, first, 0, first.length, 0);
  if (n < first.length) return first.subarray(0, n);
  // Sized by fstat, never by the header: a damaged header may claim any length.
  const { size } = await fstat(fd);
  const whole = Buffer.allocUnsafe(Math.max(size, n));
  first.copy(whole, 0, 0, n);
  let filled = n;
  while (filled < whole.length) {
    const more = await read(fd, whole, filled, whole.length - filled, filled);
    if (more === 0) break;
    filled += more;
  }
  return filled === whole.length ? whole : whole.subarray(0, filled);
}

/**
 * Creates `file` exclusively (mode 0600) and opens it for writing. Its fan-out directory `dir` is
 * created on first use (or after a sweep pruned it while idle: it is fresh after this mkdir, so
 * the next attempt finds it).
 */
async function createExclusive(file: string, dir: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await open(file, 'wx', 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
      await mkdir(dir, { recursive: true, mode: 0o700 });
    }
  }
}

async function writeAll(fd: number, data: Buffer): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const n = await write(fd, data, written, data.length - written, written);
    if (n === 0) throw new Error(`no progress writing ${data.length} bytes`);
    written += n;
  }
}
