import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';

/** A whole number ≥ 0 given as an option. */
export const wholeNumber = (value: string): number => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('Give a whole number.');
  return Number(value);
};

/** A whole number ≥ 1 given as an option. */
export const positiveNumber = (value: string): number => {
  const n = wholeNumber(value);
  if (n < 1) throw new InvalidArgumentError('Give a number of at least 1.');
  return n;
};

/** One of `values`, given as an option. */
export const oneOf =
  <const V extends string>(values: ReadonlyArray<V>) =>
  (value: string): V => {
    if (!(values as ReadonlyArray<string>).includes(value))
      throw new InvalidArgumentError(`Use one of ${values.join(', ')}.`);
    return value as V;
  };

/** A repeatable option: each use adds to the list. */
export const collect = (value: string, previous: string[] | undefined): string[] => [
  ...(previous ?? []),
  value,
];

/** A JSON object given inline or as `@file`. */
export async function jsonArgument(value: string, flag: string): Promise<Record<string, unknown>> {
  const text = value.startsWith('@') ? await readFile(value.slice(1), 'utf8') : value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${flag} is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${flag} must be a JSON object.`);
  }
  return parsed as Record<string, unknown>;
}
