import { INT32_MAX, INT32_MIN } from './cesql-value.ts';
import type { ErrorSink } from './evaluation-error.ts';

/** An Integer operator: computes in 32 bits, reporting a math error beside the value when it cannot. */
export type IntegerOperator = (x: number, y: number, errors: ErrorSink) => number;

/**
 * An exact result outside 32 bits saturates at the nearest bound with a math error, as `ABS(-2147483648)`
 * is specified to; wrapping around would silently flip signs inside filters.
 */
export function clampInt32(exact: number, what: string, errors: ErrorSink): number {
  if (exact > INT32_MAX || exact < INT32_MIN) {
    errors.push({ kind: 'math', message: `${what} overflows a 32-bit integer` });
    return exact > INT32_MAX ? INT32_MAX : INT32_MIN;
  }
  return exact === 0 ? 0 : exact;
}

// A product of two 32-bit integers is below 2^62: the float product may round, but only when it is far
// outside 32 bits, so the overflow test stays exact.
const multiply: IntegerOperator = (x, y, errors) => clampInt32(x * y, `${x} * ${y}`, errors);

const divide: IntegerOperator = (x, y, errors) => {
  if (y === 0) {
    errors.push({ kind: 'math', message: `division by zero: ${x} / 0` });
    return 0;
  }
  return clampInt32(Math.trunc(x / y), `${x} / ${y}`, errors);
};

const remainder: IntegerOperator = (x, y, errors) => {
  if (y === 0) {
    errors.push({ kind: 'math', message: `modulo by zero: ${x} % 0` });
    return 0;
  }
  const r = x % y;
  return r === 0 ? 0 : r;
};

/** The arithmetic binary operators. */
export const INTEGER_OPERATORS = {
  '+': (x, y, errors) => clampInt32(x + y, `${x} + ${y}`, errors),
  '-': (x, y, errors) => clampInt32(x - y, `${x} - ${y}`, errors),
  '*': multiply,
  '/': divide,
  '%': remainder,
} as const satisfies Record<string, IntegerOperator>;

/** Unary minus. */
export function negateInt32(x: number, errors: ErrorSink): number {
  return clampInt32(-x, `-(${x})`, errors);
}
