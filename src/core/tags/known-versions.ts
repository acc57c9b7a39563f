// Tag versions a cache has read from an in-process store that keeps a version epoch (memory):
// while the store's epoch stays the same, no version it holds has changed, so a tagged hit
// compares its entry's versions with these instead of reading one version key per tag.
import type { CacheStore } from '../store.types';

/** At most this many tag versions are kept at once (then the memo starts over). */
const MAX_KNOWN = 10_000;

/** The versions of tags read at one epoch of a store's `versionEpoch` (none without it). */
export class KnownVersions {
  /** The store, if it keeps a version epoch. */
  private readonly epochs: CacheStore | undefined;
  /** The store's epoch when {@link known} was filled; -1 (the map is then empty): nothing known. */
  private knownAt = -1;
  /** Tag name → its version as read from the store at epoch {@link knownAt} (so still current). */
  private readonly known = new Map<string, string>();
  /**
   * The tag map {@link current} last found current, and the store's epoch then: the same object
   * (a memory store shares one frozen map between the entries of the same versions) at the same
   * epoch is current without a lookup.
   */
  private checked: object | undefined;
  private checkedAt = -1;

  constructor(store: CacheStore) {
    this.epochs = typeof store.versionEpoch === 'function' ? store : undefined;
  }

  /**
   * Whether every tag of `t` is known to be at the version `t` names: one Map lookup per tag,
   * no store read, or none for the map last found current while the epoch has not moved.
   * `false` means "read the versions" (not "outdated"). `t` is never changed after it was
   * written (a store holds it for the entry).
   */
  current(t: Readonly<Record<string, string>>): boolean {
    const epochs = this.epochs;
    if (epochs === undefined) return false;
    const epoch = epochs.versionEpoch!();
    if (t === this.checked && epoch === this.checkedAt) return true;
    if (epoch !== this.knownAt || epoch < 0) return false;
    const known = this.known;
    for (const name in t) if (known.get(name) !== t[name]) return false;
    this.checked = t;
    this.checkedAt = epoch;
    return true;
  }

  /** The store's epoch now (-1: none, or it cannot tell): take it before reading versions. */
  epoch(): number {
    return this.epochs === undefined ? -1 : this.epochs.versionEpoch!();
  }

  /**
   * Notes `version` of tag `name` as read at `epoch` (taken before the read: a change in
   * between moves the store's epoch on, so nothing stale is trusted). Returns `version`.
   */
  note(epoch: number, name: string, version: string): string {
    if (epoch < 0) return version;
    if (epoch !== this.knownAt || this.known.size >= MAX_KNOWN) {
      this.known.clear();
      this.knownAt = epoch;
    }
    this.known.set(name, version);
    return version;
  }
}
