/**
 * L2's answer; when L2 fails, what L1 still holds (if anything), else L2's error. Serves the
 * reads that bypass L1 (bus down) and `ttl`.
 */
export async function l2Or<T>(fromL2: () => Promise<T>, fromL1: () => Promise<T | undefined>): Promise<T> {
  try {
    return await fromL2();
  } catch (err) {
    const near = await fromL1().catch(() => undefined);
    if (near !== undefined && near !== false) return near;
    throw err;
  }
}
