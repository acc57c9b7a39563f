/**
 * Raw access to what the Redis, file and Postgres stores keep, for the pipeline specs: list a
 * namespace's entries as stored, overwrite one (the file store's CRC recomputed, as someone with
 * write access to the directory would), the way an attacker or an old version would see them.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { decodeEntry, encodeEntry } from '../../../src/stores/file/file-entry.codec';
import { adminQuery } from '../../support/postgres';

/** One stored entry: `id` locates it in the backend, `key` is the key as stored, `value` the text. */
export interface RawEntry {
  id: string;
  key: string;
  value: string;
}

export interface RawBackend {
  entries(): Promise<RawEntry[]>;
  write(id: string, value: string): Promise<void>;
  close(): Promise<void>;
}

export function redisRaw(url: string, prefix: string): RawBackend {
  const r = new Redis(url, { lazyConnect: false });
  return {
    async entries() {
      const keys = await r.keys(`${prefix}:*`);
      const out: RawEntry[] = [];
      for (const k of keys) {
        const v = await r.get(k);
        if (v !== null) out.push({ id: k, key: k, value: v });
      }
      return out;
    },
    async write(id, value) {
      await r.set(id, value);
    },
    async close() {
      r.disconnect();
    },
  };
}

export function fileRaw(directory: string): RawBackend {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.entry') ? [join(dir, d.name)] : [],
    );
  return {
    async entries() {
      return walk(directory).flatMap((file) => {
        const e = decodeEntry(readFileSync(file));
        return e ? [{ id: file, key: JSON.parse(e.keyText) as string, value: e.valueText }] : [];
      });
    },
    async write(id, value) {
      const e = decodeEntry(readFileSync(id))!;
      writeFileSync(id, encodeEntry(e.keyText, value, e.expiresAt));
    },
    async close() {},
  };
}

export function postgresRaw(schema: string, namespace: string): RawBackend {
  const table = `"${schema}"."cachekit_entries"`;
  return {
    async entries() {
      const r = await adminQuery<{ key: string; value: string }>(
        `SELECT key, value FROM ${table} WHERE namespace = $1`,
        [namespace],
      );
      return r.rows.map((row) => ({ id: row.key, key: row.key, value: row.value }));
    },
    async write(id, value) {
      await adminQuery(`UPDATE ${table} SET value = $3 WHERE namespace = $1 AND key = $2`, [namespace, id, value]);
    },
    async close() {},
  };
}
