// Sizes as users write them: a number of bytes, or a string such as '1kb' (1,024 bytes).

/** A number of bytes, or a size string: `'512b'`, `'64kb'`, `'1.5mb'`, `'1gb'` (1 kb = 1,024 bytes). */
export type ByteSize = number | string;

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * The number of bytes `input` stands for (a fractional result rounds down), or `undefined` when it
 * is neither a non-negative safe integer nor a size string. Callers decide whether 0 is allowed.
 */
export function parseByteSize(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined;
  if (typeof input !== 'string') return undefined;
  const m = SIZE.exec(input.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
