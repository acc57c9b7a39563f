// What a store does with its `compress`, `encrypt` and `hashKeys` options, in one call each.
import type { OptionChecks } from '../option-checks';
import { defaultSerializer, type CacheSerializer } from '../serializer';
import type { CacheStore } from '../store.types';
import { KeyHasher, withHashedKeys } from './hashed-keys';
import { deriveMessageKeys, registerMessageKeys, type MessageKey } from './message-keys';
import { resolvePipeline, type ResolvedPipeline, type ValuePipelineOptions } from './pipeline-options';
import { pipelineSerializer } from './pipeline-serializer';

/** A store's value serializer and key hashing, from its options. */
export interface StorePipeline {
  /** The store's serializer (its `serializer` option or the default) wrapped in compression/encryption. */
  serializer: CacheSerializer;
  /** The store's own serializer, without the pipeline (lease tokens compared as text by the backend). */
  plain: CacheSerializer;
  /** The HMAC key of `hashKeys`, when on. */
  hashKey?: Buffer;
  /** With `encrypt` or `hashKeys`: the keys that seal a two-tier store's bus messages (message-keys.ts). */
  messageKeys?: readonly MessageKey[];
}

/** Checks the pipeline options of a store and builds its serializer (throws a CacheConfigError naming store and field). */
export function resolveStorePipeline(
  options: ValuePipelineOptions & { serializer?: CacheSerializer },
  check: OptionChecks,
): StorePipeline {
  const plain = options.serializer ?? defaultSerializer;
  const pipeline: ResolvedPipeline | undefined = resolvePipeline(options, check);
  return {
    serializer: pipelineSerializer(plain, pipeline),
    plain,
    hashKey: pipeline?.hashKey,
    messageKeys: deriveMessageKeys(pipeline),
  };
}

/**
 * `store` itself, or (with `hashKeys`) a view of it that only ever hands it hashed keys. Either
 * is registered with its message keys, for a two-tier store over it to seal its bus messages.
 */
export function withKeyHashing<S extends CacheStore>(
  store: S,
  pipeline: StorePipeline,
  namespace: string,
  name = 'store',
): S {
  const out =
    pipeline.hashKey === undefined ? store : withHashedKeys(store, new KeyHasher(pipeline.hashKey, namespace), name);
  registerMessageKeys(out, pipeline.messageKeys);
  return out;
}
