/**
 * `waitForChange` of a two-tier store whose L2 has no notifications of its own: waiters are woken
 * by this instance's writes and by bus messages from the others. The core re-checks after each
 * wake-up, and polls when a wait ends at its timeout.
 */
export class ChangeWaiters {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when `key` is woken, or after `timeoutMs`. */
  wait(key: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      const wake = (): void => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0 && this.waiters.get(key) === set) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(1, timeoutMs));
      timer.unref();
      set.add(wake);
    });
  }

  /** Wakes the waiters of `key`. */
  wake(key: string): void {
    const set = this.waiters.get(key);
    if (set) for (const wake of [...set]) wake();
  }

  /** Wakes every waiter (a clear, lost bus messages, or shutdown). */
  wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const wake of [...set]) wake();
  }
}
