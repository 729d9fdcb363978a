import { type CesqlType, isInt32, type Value } from './cesql-value.ts';
import type { ErrorSink } from './evaluation-error.ts';

const INTEGER_TEXT = /^[+-]?[0-9]+$/;

/** String → Integer (spec 3.7): base 10, optional sign, 32 bits; otherwise 0 and a cast error. */
export function parseInteger(text: string, errors: ErrorSink): number {
  if (INTEGER_TEXT.test(text)) {
    const n = Number(text);
    if (isInt32(n)) return n === 0 ? 0 : n;
  }
  errors.push({ kind: 'cast', message: `cannot cast the string ${quote(text)} to an Integer` });
  return 0;
}

/** String → Boolean (spec 3.7): "true" or "false" in any case; otherwise false and a cast error. */
export function parseBoolean(text: string, errors: ErrorSink): boolean {
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  errors.push({ kind: 'cast', message: `cannot cast the string ${quote(text)} to a Boolean` });
  return false;
}

/** Any value → String; never fails. */
export function toStringValue(value: Value): string {
  return typeof value === 'string' ? value : String(value);
}

/** Any value → Integer, as `INT()` and every implicit cast to Integer do. */
export function toIntegerValue(value: Value, errors: ErrorSink): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return parseInteger(value, errors);
}

/** Any value → Boolean, as the explicit `BOOL()` does: a non-zero Integer is true. */
export function toBooleanExplicit(value: Value, errors: ErrorSink): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return parseBoolean(value, errors);
}

/**
 * Any value → Boolean for an operator or function parameter. An Integer is refused here (false and a cast
 * error), as the TCK requires of `NOT 10`; only the explicit `BOOL()` turns an Integer into a Boolean.
 */
export function toBooleanImplicit(value: Value, errors: ErrorSink): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    errors.push({
      kind: 'cast',
      message: `cannot implicitly cast the Integer ${value} to a Boolean; use BOOL()`,
    });
    return false;
  }
  return parseBoolean(value, errors);
}

/** Implicit cast of `value` to `type`. */
export function castTo(type: CesqlType, value: Value, errors: ErrorSink): Value {
  if (type === 'String') return toStringValue(value);
  if (type === 'Integer') return toIntegerValue(value, errors);
  return toBooleanImplicit(value, errors);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}
