/** A CESQL value: Boolean, Integer (a 32-bit signed integer held in a number) or String. */
export type Value = boolean | number | string;

/** The three CESQL primitive types. */
export type CesqlType = 'Boolean' | 'Integer' | 'String';

/** Smallest and largest CESQL Integer. */
export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** The type of a value. */
export function typeOf(value: Value): CesqlType {
  if (typeof value === 'boolean') return 'Boolean';
  if (typeof value === 'number') return 'Integer';
  return 'String';
}

/** The zero value of a type: what an operator returns when it cannot compute its result. */
export function zeroOf(type: CesqlType): Value {
  if (type === 'Boolean') return false;
  if (type === 'Integer') return 0;
  return '';
}

/** Whether `n` is a CESQL Integer. */
export function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= INT32_MIN && n <= INT32_MAX;
}
