/** Prefix of the injection tokens of named stores. */
export const CACHE_STORE_TOKEN_PREFIX = 'nestjs-cachekit:store:';
