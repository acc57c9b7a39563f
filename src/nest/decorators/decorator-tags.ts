import { CacheArgumentError } from '../../core/cache.errors';
import { checkTagName } from '../../core/cache-args';
import { placeOf } from './decorator-ttls';

/**
 * Checks the `tags` option of a cache decorator where it is applied, naming the place
 * (`@CacheEvict tags of Class.method`): a list of non-empty strings, and a tag without a
 * template (`{0}`, `{params.id}`) must be a valid tag name now. Templates are checked when
 * rendered, at the call.
 * @throws CacheArgumentError
 */
export function checkDecoratorTags(decorator: string, target: object, key: string | symbol, tags: unknown): void {
  if (tags === undefined) return;
  const where = `tags of @${decorator} on ${placeOf(target, key)}`;
  if (!Array.isArray(tags)) throw new CacheArgumentError(`${where} must be an array of tag names`);
  for (const tag of tags as unknown[]) {
    if (typeof tag !== 'string' || tag.length === 0) {
      throw new CacheArgumentError(
        `${where}: every tag must be a non-empty string, got ${JSON.stringify(tag) ?? String(tag)}`,
      );
    }
    if (tag.includes('{')) continue;
    try {
      checkTagName(tag);
    } catch (err) {
      throw new CacheArgumentError(`${where}: ${(err as Error).message}`);
    }
  }
}
