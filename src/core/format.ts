/**
 * Masks credentials in text that may reach a log, an error or a health report: the user-info
 * part of a URL (`redis://user:secret@host` → `redis://user:***@host`, `redis://secret@host` →
 * `redis://***@host`) and `password=…`-style pairs. The one redaction routine of the package:
 * stores and the health indicator both use it.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\/\/)([^@/\s]*)@/g, (_m, slashes: string, auth: string) => {
      const colon = auth.indexOf(':');
      return `${slashes}${colon === -1 ? '***' : `${auth.slice(0, colon)}:***`}@`;
    })
    .replace(/((?:password|passwd|pass|auth|secret|token)["']?\s*[=:]\s*["']?)[^"'\s,;&}]+/gi, '$1***');
}

/** Rounds a duration in ms to two decimals (what events and health reports show). */
export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** The message of an error, or the thrown value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** How many keys of a list a log line or an error message names before "and N more". */
export const KEYS_SHOWN = 5;

/**
 * A key, or a list of keys, as a log line or an error message names it: one key as a JSON
 * string; a list by its first {@link KEYS_SHOWN} keys, then "and N more" (a failed `getMany` of
 * 100,000 keys logs one short line, not the whole list).
 */
export function describeKeys(keys: string | readonly string[]): string {
  if (typeof keys === 'string') return JSON.stringify(keys);
  const shown = keys.slice(0, KEYS_SHOWN).map((k) => JSON.stringify(k));
  const more = keys.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
