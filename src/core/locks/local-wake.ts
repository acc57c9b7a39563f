/**
 * In-process wake-ups for lock waiters, per store: a release in this process wakes this process's
 * waiters at once (stores with cross-process notifications wake the others; without them, the
 * others poll).
 */
export class LocalWake {
  private static readonly byStore = new WeakMap<object, LocalWake>();
  private readonly waiters = new Map<string, Set<() => void>>();

  static of(store: object): LocalWake {
    let wake = LocalWake.byStore.get(store);
    if (!wake) LocalWake.byStore.set(store, (wake = new LocalWake()));
    return wake;
  }

  /** Resolves on `wake(key)` or after `timeoutMs`; `cancel` drops the waiter early. */
  wait(key: string, timeoutMs: number): { promise: Promise<void>; cancel: () => void } {
    let done!: () => void;
    const promise = new Promise<void>((resolve) => (done = resolve));
    let set = this.waiters.get(key);
    if (!set) this.waiters.set(key, (set = new Set()));
    const waiters = set;
    // Not unref'd: a process whose only work is waiting for a lock must stay alive (bounded by wait).
    const timer = setTimeout(() => cancel(), Math.max(1, timeoutMs));
    const cancel = () => {
      clearTimeout(timer);
      waiters.delete(cancel);
      if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
      done();
    };
    waiters.add(cancel);
    return { promise, cancel };
  }

  wake(key: string): void {
    const set = this.waiters.get(key);
    if (!set) return;
    this.waiters.delete(key);
    for (const cancel of set) cancel();
  }
}
