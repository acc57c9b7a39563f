import { Inject, Injectable } from '@nestjs/common';
import { Cache, CACHE_MANAGER } from '@nestjs/cache-manager';

/** Counts how often each handler body runs, so tests can tell hits from misses. */
@Injectable()
export class CallCounter {
  readonly counts: Record<string, number> = {};
  bump(name: string): number {
    this.counts[name] = (this.counts[name] ?? 0) + 1;
    return this.counts[name];
  }
  of(name: string): number {
    return this.counts[name] ?? 0;
  }
}

/** A service using the cache manager directly, as apps written for @nestjs/cache-manager do. */
@Injectable()
export class ProfilesService {
  constructor(
    @Inject(CACHE_MANAGER) private readonly cacheManager: Cache,
    private readonly calls: CallCounter,
  ) {}

  profile(id: string): Promise<{ id: string; loads: number }> {
    return this.cacheManager.wrap(
      `profile:${id}`,
      async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { id, loads: this.calls.bump(`profile:${id}`) };
      },
      60_000,
    );
  }

  async forget(id: string): Promise<boolean> {
    return this.cacheManager.del(`profile:${id}`);
  }
}

/** The same, injected through the `Cache` class token. */
@Injectable()
export class SettingsService {
  constructor(private readonly cache: Cache) {}

  async read(name: string): Promise<string | undefined> {
    return this.cache.get<string>(`setting:${name}`);
  }

  async write(name: string, value: string, ttl?: number): Promise<string> {
    return this.cache.set(`setting:${name}`, value, ttl);
  }
}

/** Code reaching into `cache.stores` as upstream users do (raw entries, key listing, error listeners). */
@Injectable()
export class StoresService {
  constructor(@Inject(CACHE_MANAGER) private readonly cache: Cache) {}

  async inspect(key: string) {
    const first = this.cache.stores[0];
    first.on('error', () => undefined);
    const keys: string[] = [];
    if (first.iterator) for await (const [k] of first.iterator(first.namespace)) keys.push(String(k));
    const raw = await first.getRaw<string>(key);
    const expires: number | undefined = raw?.expires;
    const value: string | undefined = await first.get<string>(key);
    const many: (string | undefined)[] = await first.getMany<string>([key, `${key}:missing`]);
    return { has: await first.has(key), value, rawValue: raw?.value, expires, many, listed: keys.length >= 0 };
  }
}
