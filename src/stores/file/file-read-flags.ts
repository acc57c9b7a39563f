import { constants } from 'node:fs';

const PLAIN = constants.O_RDONLY;
/**
 * Reads open entry files with O_NOATIME where the platform has it (Linux): the first read of a
 * freshly written file would otherwise dirty its inode for the access time (relatime), one
 * journal write per read on the request path. Nothing here uses access times (eviction goes by
 * modification time).
 */
let flags = PLAIN | (constants.O_NOATIME ?? 0);

/** The flags to open an entry file for reading with. */
export function readFlags(): number {
  return flags;
}

/**
 * Whether `err` is the kernel refusing O_NOATIME (a file owned by another user, without
 * CAP_FOWNER). Then reads go without it from now on, and the caller retries the open once.
 */
export function noatimeRefused(err: unknown): boolean {
  if ((err as NodeJS.ErrnoException).code !== 'EPERM' || flags === PLAIN) return false;
  flags = PLAIN;
  return true;
}
