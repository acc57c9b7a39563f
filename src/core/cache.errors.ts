/**
 * Stable machine-readable codes carried by every {@link CacheError}.
 */
export type CacheErrorCode =
  | 'CACHE_ARGUMENT'
  | 'CACHE_SERIALIZATION'
  | 'CACHE_CONFIG'
  | 'CACHE_STORE_NOT_FOUND'
  | 'CACHE_UNAVAILABLE'
  | 'CACHE_TIMEOUT'
  | 'CACHE_LOCK_TIMEOUT'
  | 'CACHE_UNSUPPORTED';

/** Brands the error classes of every copy of the package (ESM and CommonJS builds alike). */
const ERROR_CLASS = Symbol.for('nestjs-cachekit:error-class');

/** Base class of every error this package throws. Check `code` rather than the message. */
export class CacheError extends Error {
  static readonly [ERROR_CLASS] = true;

  /**
   * `instanceof` holds across the package's ES module and CommonJS builds: an error thrown by one
   * copy is an instance of the class of the same name in the other (an ESM app catching what a
   * CommonJS library's cache threw). Within one copy it is the usual prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    for (let proto: unknown = Object.getPrototypeOf(value); proto; proto = Object.getPrototypeOf(proto)) {
      const type = (proto as { constructor?: { name?: string; [ERROR_CLASS]?: true } }).constructor;
      if (type?.[ERROR_CLASS] === true && type.name === this.name) return true;
    }
    return false;
  }

  constructor(
    message: string,
    /** Stable code, safe to switch on. */
    readonly code: CacheErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A key, TTL or other argument is invalid (empty key, `undefined` value, zero TTL...). */
export class CacheArgumentError extends CacheError {
  constructor(
    message: string,
    /** The cache key concerned, when the error is about one (as the caller wrote it). */
    readonly key?: string,
  ) {
    super(message, 'CACHE_ARGUMENT');
  }
}

/** A value cannot be stored (function, symbol, cycle...) or a stored value cannot be read back. */
export class CacheSerializationError extends CacheError {
  constructor(
    message: string,
    /** The cache key concerned, when known. */
    readonly key?: string,
    options?: { cause?: unknown },
  ) {
    super(message, 'CACHE_SERIALIZATION', options);
  }
}

/** The cache configuration is invalid. `store` and `field` name the culprit. */
export class CacheConfigError extends CacheError {
  constructor(
    message: string,
    readonly store?: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, 'CACHE_CONFIG', options);
  }
}

/** A store name that is not configured was asked for. */
export class CacheStoreNotFoundError extends CacheError {
  /**
   * @param context where the name was given, put in front of the message
   * (`'UserService.find'`, `'TypoInject injects @InjectCache("redsi")'`)
   */
  constructor(
    readonly store: string,
    readonly known: readonly string[],
    context?: string,
  ) {
    super(
      `${context ? `${context}: ` : ''}Cache store "${store}" is not configured. Known stores: ${known.length ? known.join(', ') : '(none)'}`,
      'CACHE_STORE_NOT_FOUND',
    );
  }
}

/** The backend of a store failed or is unreachable. Thrown by counters, `add`, locks and flushes. */
export class CacheUnavailableError extends CacheError {
  constructor(
    readonly store: string,
    readonly operation: string,
    cause?: unknown,
  ) {
    super(`Cache store "${store}" is unavailable (${operation}): ${describeCause(cause)}`, 'CACHE_UNAVAILABLE', {
      cause,
    });
  }
}

/** An operation on a store took longer than its `timeout`. */
export class CacheTimeoutError extends CacheError {
  constructor(
    readonly store: string,
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`Cache store "${store}" did not answer ${operation} within ${timeoutMs} ms`, 'CACHE_TIMEOUT');
  }
}

/**
 * A lock or funnel could not be taken within its `wait` (`lock.block`, `funnel.run`,
 * `@CacheLock`).
 */
export class CacheLockTimeoutError extends CacheError {
  constructor(
    readonly store: string,
    readonly lock: string,
    readonly waitMs: number,
  ) {
    super(
      `Lock "${lock}" on cache store "${store}" was still held by another owner after waiting ${waitMs} ms`,
      'CACHE_LOCK_TIMEOUT',
    );
  }
}

/** The store does not implement an optional operation and no safe fallback exists. */
export class CacheUnsupportedError extends CacheError {
  /** @param message what to say instead of `Cache store "<store>" does not support <operation>()` */
  constructor(
    readonly store: string,
    readonly operation: string,
    message = `Cache store "${store}" does not support ${operation}()`,
  ) {
    super(message, 'CACHE_UNSUPPORTED');
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message;
  return cause === undefined ? 'unknown error' : String(cause);
}
