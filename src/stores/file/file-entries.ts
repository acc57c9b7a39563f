import * as fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { Clock } from '../../core/clock';
import type { CacheSerializer } from '../../core/serializer';
import { decodeEntry, encodeEntry } from './file-entry.codec';
import { tempPath, type EntryLocation } from './file-paths';
import { remove } from './file-sweep';

// The callback API is markedly faster than fs/promises for whole small files (fewer round trips).
const readFile = promisify(fs.readFile);
const writeFile = promisify(fs.writeFile);
const rename = promisify(fs.rename);

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
  constructor(
    private readonly serializer: CacheSerializer,
    private readonly clock: Clock,
    private readonly onWrite: (bytes: number) => void,
  ) {}

  /** The epoch ms at which an entry written now with `ttlMs` expires (`undefined`: never). */
  expiry(ttlMs: number | undefined): number | undefined {
    return ttlMs === undefined ? undefined : this.clock.now() + ttlMs;
  }

  /** The entry of `loc` if present, intact, of this key and not expired. Damaged files are removed. */
  async read(loc: EntryLocation): Promise<LiveEntry | undefined> {
    let buf: Buffer;
    try {
      buf = await readFile(loc.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const entry = decodeEntry(buf);
    if (!entry) {
      await remove(loc.file).catch(() => undefined);
      return undefined;
    }
    // A hash collision (or a foreign file of the same name) is a miss, never another key's value.
    if (entry.keyText !== loc.keyText) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= this.clock.now()) return undefined;
    try {
      return { value: this.serializer.deserialize(entry.valueText, loc.key), expiresAt: entry.expiresAt };
    } catch {
      await remove(loc.file).catch(() => undefined);
      return undefined;
    }
  }

  /** Serialises `value` (a CacheSerializationError naming the key when it cannot be stored). */
  serialize(value: unknown, key: string): string {
    return this.serializer.serialize(value, key);
  }

  /** Writes a temp file beside the entry and renames it over: readers see the old or the new file. */
  async write(loc: EntryLocation, text: string, expiresAt: number | undefined): Promise<void> {
    const data = encodeEntry(loc.keyText, text, expiresAt);
    const tmp = tempPath(loc.file);
    for (let attempt = 0; ; attempt++) {
      try {
        await writeFile(tmp, data, { flag: 'wx', mode: 0o600 });
        break;
      } catch (err) {
        // The fan-out directory is created on first use (or was pruned by a sweep while idle: it is
        // fresh after this mkdir, so the next attempt finds it).
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw err;
        await mkdir(loc.dir, { recursive: true, mode: 0o700 });
      }
    }
    try {
      await rename(tmp, loc.file);
    } catch (err) {
      await remove(tmp).catch(() => undefined);
      throw err;
    }
    this.onWrite(data.length);
  }
}
