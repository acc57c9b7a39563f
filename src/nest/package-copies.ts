import type { Provider } from '@nestjs/common';
import { CacheManager } from '../core/cache-manager';
import { processShared } from '../core/process-shared';
import { CacheDecoratorRuntime } from './methods/cache-decorator.runtime';
import { CacheService } from './cache.service';

/** The classes a copy of the package uses as injection tokens. */
interface CopyTokens {
  CacheManager: object;
  CacheService: object;
  CacheDecoratorRuntime: object;
}

/**
 * The token classes of every copy of the package loaded in this process (its ES module and
 * CommonJS builds are two copies, so two `CacheService` classes). Class tokens cannot be shared
 * like strings: instead the module of one copy also provides the other copies' classes as aliases
 * of its own, so a class compiled against the other build (`constructor(cache: CacheService)`,
 * `HttpCacheInterceptor`) resolves to this app's instances.
 */
const copies = processShared('token-classes', () => new Set<CopyTokens>());
const own: CopyTokens = { CacheManager, CacheService, CacheDecoratorRuntime };
copies.add(own);

/** Aliases of the other loaded copies' token classes to this copy's providers. */
export function otherCopyAliases(): Provider[] {
  const aliases: Provider[] = [];
  for (const copy of copies) {
    if (copy === own) continue;
    for (const name of Object.keys(own) as (keyof CopyTokens)[]) {
      aliases.push({ provide: copy[name] as never, useExisting: own[name] as never });
    }
  }
  return aliases;
}
