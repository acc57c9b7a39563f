/** Pipeline options used by the pipeline specs: each option alone, and all of them together. */
export const KEY_A = { id: 'a', secret: 'key-a: a string secret of 32+ characters' };
export const KEY_B = { id: 'b', secret: Buffer.alloc(32, 0xb) };

export const VARIANTS = {
  /** Threshold 0: every value is compressed (the short ones stay plain only when not smaller). */
  compress: { compress: { threshold: 0 } },
  brotli: { compress: { threshold: 0, algorithm: 'brotli' as const } },
  encrypt: { encrypt: { keys: [KEY_A] } },
  all: { compress: { threshold: 0 }, encrypt: { keys: [KEY_B, KEY_A] }, hashKeys: true },
};
