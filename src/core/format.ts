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
