import { crc32 } from 'node:zlib';

/**
 * On-disk layout of one entry:
 *
 *     CKF1 <expiresAt|-> <keyBytes> <valueBytes> <crc32>\n<key><value>
 *
 * The lengths catch truncation and the CRC-32 (over the expiry, key and value) catches torn or
 * corrupted content, so a damaged file is read as a miss and never as a wrong value.
 */
const MAGIC = 'CKF1';
const NEWLINE = 0x0a;
/** Longest header: magic, a 16-digit expiry, two lengths and a CRC, with separators. */
export const MAX_HEADER_BYTES = 96;

export interface EntryHeader {
  /** Epoch ms at which the entry expires, `undefined` for never. */
  expiresAt: number | undefined;
  keyBytes: number;
  valueBytes: number;
  crc: number;
  /** Bytes taken by the header line, newline included. */
  headerBytes: number;
}

export interface DecodedEntry extends EntryHeader {
  keyText: string;
  valueText: string;
}

/** Builds the bytes of an entry file. */
export function encodeEntry(keyText: string, valueText: string, expiresAt: number | undefined): Buffer {
  const key = Buffer.from(keyText, 'utf8');
  const value = Buffer.from(valueText, 'utf8');
  const exp = expiresAt === undefined ? '-' : String(Math.round(expiresAt));
  const crc = crc32(value, crc32(key, crc32(exp)));
  const header = Buffer.from(`${MAGIC} ${exp} ${key.length} ${value.length} ${crc.toString(16)}\n`, 'latin1');
  return Buffer.concat([header, key, value]);
}

/** Parses the header line at the start of `buf`; `undefined` when it is not a valid header. */
export function decodeHeader(buf: Buffer): EntryHeader | undefined {
  const end = buf.indexOf(NEWLINE);
  if (end < 0 || end > MAX_HEADER_BYTES) return undefined;
  const parts = buf.toString('latin1', 0, end).split(' ');
  if (parts.length !== 5 || parts[0] !== MAGIC) return undefined;
  const expiresAt = parts[1] === '-' ? undefined : toInt(parts[1]);
  const keyBytes = toInt(parts[2]);
  const valueBytes = toInt(parts[3]);
  const crc = parseInt(parts[4], 16);
  if (expiresAt === -1 || keyBytes < 0 || valueBytes < 0 || !/^[0-9a-f]{1,8}$/.test(parts[4])) return undefined;
  return { expiresAt, keyBytes, valueBytes, crc, headerBytes: end + 1 };
}

/** Parses and verifies a whole entry; `undefined` when it is truncated, padded or corrupted. */
export function decodeEntry(buf: Buffer): DecodedEntry | undefined {
  const h = decodeHeader(buf);
  if (!h || buf.length !== h.headerBytes + h.keyBytes + h.valueBytes) return undefined;
  const key = buf.subarray(h.headerBytes, h.headerBytes + h.keyBytes);
  const value = buf.subarray(h.headerBytes + h.keyBytes);
  const exp = h.expiresAt === undefined ? '-' : String(h.expiresAt);
  if (crc32(value, crc32(key, crc32(exp))) !== h.crc) return undefined;
  return { ...h, keyText: key.toString('utf8'), valueText: value.toString('utf8') };
}

/** A non-negative decimal integer, or -1. */
function toInt(text: string): number {
  return /^[0-9]{1,16}$/.test(text) ? Number(text) : -1;
}
