import { createHash } from 'node:crypto';
import { join, sep } from 'node:path';

/** Suffix of a cache entry file; only files named `<64 hex>.entry` are ever read or cleared. */
export const ENTRY_SUFFIX = '.entry';
/** Suffix of the short-lived mutex file guarding read-modify-write operations on one entry. */
export const LOCK_SUFFIX = '.lock';

const ENTRY_NAME = /^[0-9a-f]{64}\.entry$/;
const TEMP_NAME = /^[0-9a-f]{64}\.entry\.[0-9a-z]+\.tmp$/;
const LOCK_NAME = /^[0-9a-f]{64}\.lock(\.break)?$/;
const FAN_1 = /^[0-9a-f]{2}$/;
const FAN_2 = /^[0-9a-f]$/;

/** Where one entry lives: its fan-out directory, its file and its mutex file. */
export interface EntryLocation {
  key: string;
  dir: string;
  file: string;
  lock: string;
  /** The key as stored in the file: JSON text, so lone surrogates survive byte for byte. */
  keyText: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The directory of one namespace (module + store prefix), so caches with different prefixes in one
 * directory never list, prune or clear each other's files.
 */
export function namespaceDir(root: string, namespace: string): string {
  return join(root, `ns-${sha256(namespace).slice(0, 24)}`);
}

/**
 * The location of a key. The raw key never becomes a path: the file name is the SHA-256 of the
 * key, fanned out as `ab/c/` (4,096 leaf directories), so ten million entries stay near 2,500
 * files per directory.
 */
export function entryLocation(nsDir: string, key: string): EntryLocation {
  const keyText = JSON.stringify(key);
  const hash = sha256(keyText);
  // Plain concatenation: nsDir is already resolved and the parts are hex (join would re-normalise).
  const dir = `${nsDir}${sep}${hash.slice(0, 2)}${sep}${hash[2]}`;
  const base = `${dir}${sep}${hash}`;
  return { key, dir, file: base + ENTRY_SUFFIX, lock: base + LOCK_SUFFIX, keyText };
}

/** A unique temp name beside `file`, so the final rename stays within one file system. */
export function tempPath(file: string): string {
  const rand = Math.floor(Math.random() * 2 ** 48).toString(36);
  return `${file}.${process.pid.toString(36)}${rand}.tmp`;
}

export const isEntryName = (name: string): boolean => ENTRY_NAME.test(name);
export const isTempName = (name: string): boolean => TEMP_NAME.test(name);
export const isLockName = (name: string): boolean => LOCK_NAME.test(name);
export const isFanOutName = (name: string, level: 1 | 2): boolean => (level === 1 ? FAN_1 : FAN_2).test(name);
