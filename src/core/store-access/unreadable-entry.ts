import type { CacheSerializer } from '../serializer';

/**
 * What a store's `getMany` puts in the place of one value it could not read (corrupt text, a
 * foreign format), so one bad entry is one miss and one counted error while the others in the
 * batch are still hits. For store authors; the cache never hands it to application code.
 *
 * @example out[i] = tryDecode(text) ?? new UnreadableEntry(err)
 */
export class UnreadableEntry {
  constructor(
    /** Why the value could not be read (usually a `CacheSerializationError` naming the key). */
    readonly error: unknown,
  ) {}
}

/** One value of a `getMany` batch: unreadable text is marked, not thrown, so the rest of the batch stands. */
export function readBatchValue(serializer: CacheSerializer, text: string, key: string): unknown {
  try {
    return serializer.deserialize(text, key);
  } catch (err) {
    return new UnreadableEntry(err);
  }
}
