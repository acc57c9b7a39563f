import type { Dirent } from 'node:fs';
import { open, readdir, rmdir, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeHeader, MAX_HEADER_BYTES } from './file-entry.codec';
import { isEntryName, isFanOutName, isTempName } from './file-paths';
import { noatimeRefused, readFlags } from './file-read-flags';

/** A temp file older than this was left by a crashed writer. */
const ORPHAN_TEMP_MS = 60_000;

/** An empty fan-out directory untouched for this long is removed by the sweep. */
const IDLE_DIR_MS = 60_000;

/** One live entry file seen by a sweep. */
export interface SweptFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** What a sweep found and removed. */
export interface SweepResult {
  live: SweptFile[];
  /** Expired or unreadable entries removed. */
  removed: number;
}

/** Files of one namespace directory, by fan-out level; foreign names are never listed. */
async function* ownFiles(nsDir: string): AsyncGenerator<{ dir: string; name: string }> {
  for (const a of await list(nsDir)) {
    if (!a.isDirectory() || !isFanOutName(a.name, 1)) continue;
    const dirA = join(nsDir, a.name);
    for (const b of await list(dirA)) {
      if (!b.isDirectory() || !isFanOutName(b.name, 2)) continue;
      const dirB = join(dirA, b.name);
      for (const f of await list(dirB)) {
        if (f.isFile() && (isEntryName(f.name) || isTempName(f.name))) yield { dir: dirB, name: f.name };
      }
    }
  }
}

/**
 * Reads the header of every entry of a namespace, removes expired and damaged ones and orphaned
 * temp files, and lists the live ones (for stats and eviction).
 */
export async function sweep(nsDir: string, now: number): Promise<SweepResult> {
  const result: SweepResult = { live: [], removed: 0 };
  for await (const { dir, name } of ownFiles(nsDir)) {
    const path = join(dir, name);
    if (isTempName(name)) {
      const s = await stat(path).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > ORPHAN_TEMP_MS) await remove(path);
      continue;
    }
    const seen = await readHeader(path);
    if (seen === 'gone') continue;
    if (seen === 'bad' || (seen.expiresAt !== undefined && seen.expiresAt <= now)) {
      if (await remove(path)) result.removed++;
      continue;
    }
    result.live.push({ path, size: seen.size, mtimeMs: seen.mtimeMs });
  }
  return result;
}

/**
 * Removes every entry (and orphaned temp file) of a namespace. Directories stay: a writer in
 * another process may have just created one for its temp file, and removing it would fail that
 * write (a clear may make a write lost, never failed). Empty ones are pruned by the sweep once idle.
 */
export async function removeAll(nsDir: string): Promise<void> {
  for await (const { dir, name } of ownFiles(nsDir)) {
    const path = join(dir, name);
    if (isTempName(name)) {
      // A fresh temp file belongs to a write in flight; leave it so that write does not fail.
      const s = await stat(path).catch(() => undefined);
      if (!s || Date.now() - s.mtimeMs <= ORPHAN_TEMP_MS) continue;
    }
    await remove(path);
  }
}

/**
 * Removes the entries of a namespace directory whose key starts with `keyPrefix` (one namespace
 * of a store instance shared by several caches). Each entry's key is read from its file: the
 * stored key text is JSON, which escapes character by character, so a key's text starts with
 * the text of the prefix (without its closing quote) exactly when the key starts with the prefix.
 * Temp files are left to the sweep.
 */
export async function removeWhereKey(nsDir: string, keyPrefix: string): Promise<void> {
  const text = Buffer.from(JSON.stringify(keyPrefix).slice(0, -1), 'utf8');
  for await (const { dir, name } of ownFiles(nsDir)) {
    if (isTempName(name)) continue;
    const path = join(dir, name);
    const key = await readKeyStart(path, text.length);
    if (key !== undefined && key.equals(text)) await remove(path);
  }
}

/** An entry opened for reading (without atime where the filesystem allows); `undefined` when it is gone. */
async function openEntry(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, readFlags()).catch((err: unknown) => {
      if (noatimeRefused(err)) return open(path, readFlags());
      throw err;
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The first `bytes` bytes of an entry's stored key; `undefined` when gone or damaged. */
async function readKeyStart(path: string, bytes: number): Promise<Buffer | undefined> {
  const fh = await openEntry(path);
  if (fh === undefined) return undefined;
  try {
    const buf = Buffer.alloc(MAX_HEADER_BYTES + 1 + bytes);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const h = decodeHeader(buf.subarray(0, bytesRead));
    if (!h || h.keyBytes < bytes || bytesRead < h.headerBytes + bytes) return undefined;
    return buf.subarray(h.headerBytes, h.headerBytes + bytes);
  } finally {
    await fh.close();
  }
}

/**
 * Removes empty fan-out directories that nothing touched for `IDLE_DIR_MS` (a directory's mtime
 * moves when a file is created or removed in it). A writer creates its directory right before its
 * temp file, so a directory it is about to use is fresh and left alone; one that vanishes under a
 * writer of an idle directory is created again by that writer's single retry.
 */
export async function pruneIdleDirs(nsDir: string, now = Date.now()): Promise<void> {
  for (const a of await list(nsDir)) {
    if (!a.isDirectory() || !isFanOutName(a.name, 1)) continue;
    const dirA = join(nsDir, a.name);
    for (const b of await list(dirA)) {
      if (b.isDirectory() && isFanOutName(b.name, 2)) await rmdirIfIdle(join(dirA, b.name), now);
    }
    await rmdirIfIdle(dirA, now);
  }
}

async function rmdirIfIdle(dir: string, now: number): Promise<void> {
  const s = await stat(dir).catch(() => undefined);
  if (!s || now - s.mtimeMs < IDLE_DIR_MS) return;
  await rmdir(dir).catch(() => undefined); // not empty (or gone): fine
}

async function readHeader(
  path: string,
): Promise<{ expiresAt: number | undefined; size: number; mtimeMs: number } | 'gone' | 'bad'> {
  const fh = await openEntry(path);
  if (fh === undefined) return 'gone';
  try {
    const s = await fh.stat();
    const buf = Buffer.alloc(MAX_HEADER_BYTES + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const h = decodeHeader(buf.subarray(0, bytesRead));
    if (!h || s.size !== h.headerBytes + h.keyBytes + h.valueBytes) return 'bad';
    return { expiresAt: h.expiresAt, size: s.size, mtimeMs: s.mtimeMs };
  } finally {
    await fh.close();
  }
}

/** Unlinks a file; resolves whether it was there. */
export async function remove(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

async function list(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      return [];
    }
    throw err;
  }
}
