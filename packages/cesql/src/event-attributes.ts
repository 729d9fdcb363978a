import { isInt32, type Value } from './cesql-value.ts';
import type { ErrorSink } from './evaluation-error.ts';

/**
 * A CloudEvent's context attributes and extensions by (lower-case) name: `{ id, source, type,
 * specversion, subject, time, ...extensions }`. `undefined` and `null` count as absent.
 */
export type EventAttributes = Readonly<Record<string, unknown>>;

/** Whether the event carries attribute `name`. */
export function hasAttribute(event: EventAttributes, name: string): boolean {
  return Object.hasOwn(event, name) && event[name] !== undefined && event[name] !== null;
}

/**
 * The CESQL value of an attribute (spec 3.2): Booleans and 32-bit integers keep their type, everything
 * else (URIs, timestamps, binary, larger numbers) is represented as a String.
 */
export function attributeValue(raw: unknown, name: string, errors: ErrorSink): Value {
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      return isInt32(raw) ? raw + 0 : String(raw);
    case 'bigint':
      return isInt32(Number(raw)) ? Number(raw) : String(raw);
    default:
      break;
  }
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? String(raw) : raw.toISOString();
  if (raw instanceof Uint8Array)
    return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  try {
    return String(raw);
  } catch {
    errors.push({ kind: 'generic', message: `the attribute ${name} has no string representation` });
    return '';
  }
}
