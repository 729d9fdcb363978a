/** A JSON object as the tests read it. */
export type Json = Record<string, unknown>;

/** `value` as a JSON object, or an error naming `what` it should have been. */
export function record(value: unknown, what: string): Json {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  throw new Error(`${what} must be a JSON object`);
}
