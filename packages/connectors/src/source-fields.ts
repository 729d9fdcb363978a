/** Small readers for untrusted source payloads: each throws a clear Error naming the connector and field. */

/** A plain object, or a thrown Error naming what was expected. */
export function recordOf(connector: string, what: string, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new Error(`${connector}: ${what} must be a JSON object, got ${describe(value)}`);
}

/** A source identifier (string or number) as a non-empty string. */
export function idOf(connector: string, what: string, value: unknown): string {
  if ((typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value))) {
    return String(value);
  }
  throw new Error(`${connector}: ${what} must be a string or number id, got ${describe(value)}`);
}

/** A non-empty string field. */
export function stringOf(connector: string, what: string, value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  throw new Error(`${connector}: ${what} must be a non-empty string, got ${describe(value)}`);
}

/** A string field, or null when absent or not a string. */
export function optionalString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A source timestamp (ISO 8601 string) as UTC ISO 8601 with ms, or null when absent or unparseable. */
export function isoFromSource(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** Epoch seconds (Stripe's `created`, GitHub's `pushed_at`) as UTC ISO 8601, or null. */
export function isoFromEpochSeconds(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000).toISOString() : null;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
