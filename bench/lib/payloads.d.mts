/** Types of payloads.mjs, for the TypeScript parts of the bench. */
export declare function object1kb(i?: number): Record<string, unknown> & { id: number };
export declare const STRING_20: string;
