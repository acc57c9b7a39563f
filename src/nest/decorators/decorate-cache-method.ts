import { UseInterceptors } from '@nestjs/common';
import { INTERCEPTORS_METADATA } from '@nestjs/common/constants';
import { installTrampoline } from '../methods/cache-trampoline';
import { HttpCacheInterceptor } from '../http/http-cache.interceptor';

/**
 * What every method decorator does: install the trampoline (providers), record its options on
 * it, and attach {@link HttpCacheInterceptor} once (controllers; on a provider it is never
 * invoked). The interceptor is attached by the decorator itself, so only decorated routes pay
 * for it and no global interceptor has to be registered.
 */
export function decorateCacheMethod(
  target: object,
  key: string | symbol,
  descriptor: PropertyDescriptor,
  metadataKey: string,
  options: unknown,
): void {
  const carrier = installTrampoline(target, key, descriptor);
  Reflect.defineMetadata(metadataKey, options, carrier);
  const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, carrier) ?? []) as unknown[];
  if (!interceptors.includes(HttpCacheInterceptor)) UseInterceptors(HttpCacheInterceptor)(target, key, descriptor);
}
