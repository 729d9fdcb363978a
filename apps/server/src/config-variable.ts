import { type TSchema, Type } from '@sinclair/typebox';

/** The environment as `loadConfig` reads it: variable name → text (unset and empty are the same). */
export type Env = Readonly<Record<string, string | undefined>>;

/** One environment variable: what it is, its default, how its text becomes a config value. */
export interface Variable<Field extends string, T> {
  /** The `Config` property it fills. */
  readonly field: Field;
  readonly doc: string;
  /** Checks the coerced text; its errors name the variable. */
  readonly schema: TSchema;
  /** Text used when the variable is unset or empty; a function when it depends on other variables. */
  readonly default: string | ((env: Env) => string | undefined) | undefined;
  /** Text → the value the schema checks. Text that cannot convert is passed on, so the error shows it. */
  readonly coerce: (text: string) => unknown;
  /** The checked value (undefined when unset without a default) → the `Config` value. */
  readonly value: (checked: unknown) => T;
  /** An enumeration's values, listed in its error. */
  readonly allowed?: ReadonlyArray<string>;
  /** Errors show its length, never its value. */
  readonly secret?: boolean;
}

const toInteger = (text: string): unknown => (/^\d+$/.test(text) ? Number(text) : text);

/** A required text with a default. */
export function text<F extends string>(
  field: F,
  doc: string,
  options: { readonly default: string | ((env: Env) => string); readonly minLength?: number },
): Variable<F, string> {
  return {
    field,
    doc,
    schema: Type.String({ minLength: options.minLength ?? 1 }),
    default: options.default,
    coerce: (value) => value,
    value: (checked) => checked as string,
  };
}

/** A text that may be left unset (null in `Config`). */
export function optionalText<F extends string>(
  field: F,
  doc: string,
  options: { readonly minLength?: number; readonly pattern?: string; readonly secret?: boolean },
): Variable<F, string | null> {
  return {
    field,
    doc,
    secret: options.secret ?? false,
    schema: Type.String({
      minLength: options.minLength ?? 1,
      ...(options.pattern === undefined ? {} : { pattern: options.pattern }),
    }),
    default: undefined,
    coerce: (value) => value,
    value: (checked) => (checked === undefined ? null : (checked as string)),
  };
}

/** A whole number, stored in `Config` multiplied by `scale` (seconds → ms). */
export function integer<F extends string>(
  field: F,
  doc: string,
  options: {
    /** A number, or one derived from other variables. */
    readonly default: number | ((env: Env) => number);
    readonly minimum: number;
    readonly maximum?: number;
    readonly scale?: number;
  },
): Variable<F, number> {
  const scale = options.scale ?? 1;
  const fallback = options.default;
  return {
    field,
    doc,
    schema: Type.Integer({
      minimum: options.minimum,
      ...(options.maximum === undefined ? {} : { maximum: options.maximum }),
    }),
    default: typeof fallback === 'number' ? String(fallback) : (env: Env) => String(fallback(env)),
    coerce: toInteger,
    value: (checked) => (checked as number) * scale,
  };
}

/** A whole number that may be left unset (null in `Config`). */
export function optionalInteger<F extends string>(
  field: F,
  doc: string,
  options: { readonly minimum: number; readonly maximum?: number },
): Variable<F, number | null> {
  return {
    field,
    doc,
    schema: Type.Integer({
      minimum: options.minimum,
      ...(options.maximum === undefined ? {} : { maximum: options.maximum }),
    }),
    default: undefined,
    coerce: toInteger,
    value: (checked) => (checked === undefined ? null : (checked as number)),
  };
}

/** One of a fixed list of values. */
export function oneOf<F extends string, const V extends string>(
  field: F,
  doc: string,
  options: { readonly values: ReadonlyArray<V>; readonly default: V },
): Variable<F, V> {
  return {
    field,
    doc,
    schema: Type.Union(options.values.map((value) => Type.Literal(value))),
    default: options.default,
    coerce: (value) => value,
    value: (checked) => checked as V,
    allowed: options.values,
  };
}

/** A comma-separated set of values from a fixed list, each at most once (`receiver,relay`). */
export function listOf<F extends string, const V extends string>(
  field: F,
  doc: string,
  options: { readonly values: ReadonlyArray<V>; readonly default: ReadonlyArray<V> },
): Variable<F, ReadonlyArray<V>> {
  return {
    field,
    doc,
    schema: Type.Array(Type.Union(options.values.map((value) => Type.Literal(value))), {
      minItems: 1,
      uniqueItems: true,
    }),
    default: options.default.join(','),
    coerce: (value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    value: (checked) => checked as ReadonlyArray<V>,
    allowed: options.values,
  };
}

/** `1` or `0`; the default may depend on other variables. */
export function flag<F extends string>(
  field: F,
  doc: string,
  byDefault: (env: Env) => '1' | '0',
): Variable<F, boolean> {
  return {
    field,
    doc,
    schema: Type.Union([Type.Literal('1'), Type.Literal('0')]),
    default: byDefault,
    coerce: (value) => value,
    value: (checked) => checked === '1',
    allowed: ['1', '0'],
  };
}

/** A variable's text, with empty meaning unset. */
export const given = (env: Env, name: string): string | undefined => {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
};

/** A comma-separated list of free text (each item checked by a rule of its own); the default may be empty. */
export function textList<F extends string>(
  field: F,
  doc: string,
  options: { readonly default: string },
): Variable<F, ReadonlyArray<string>> {
  return {
    field,
    doc,
    schema: Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true }),
    default: options.default,
    coerce: (value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== ''),
    value: (checked) => (checked ?? []) as ReadonlyArray<string>,
  };
}
