import type { CesqlType, Value } from './cesql-value.ts';
import { INT32_MAX, INT32_MIN } from './cesql-value.ts';
import type { ErrorSink } from './evaluation-error.ts';
import { toBooleanExplicit, toIntegerValue, toStringValue } from './implicit-cast.ts';

/** A parameter type; `Any` takes the argument as it is, with no implicit cast. */
export type ParameterType = CesqlType | 'Any';

/**
 * A CESQL function overload. Arguments arrive already cast to `parameters` (then `variadic` for the rest);
 * an implementation reports its own failures into `errors` and still returns a value of `returns`.
 */
export interface FunctionDefinition {
  readonly name: string;
  readonly parameters: readonly ParameterType[];
  readonly variadic?: ParameterType;
  readonly returns: CesqlType;
  readonly implementation: (args: readonly Value[], errors: ErrorSink) => Value;
}

const WHITE_SPACE = /^\p{White_Space}$/u;

function str(args: readonly Value[], i: number): string {
  return args[i] as string;
}

function int(args: readonly Value[], i: number): number {
  return args[i] as number;
}

function codePoints(text: string): string[] {
  return Array.from(text);
}

function functionError(errors: ErrorSink, message: string): void {
  errors.push({ kind: 'functionEvaluation', message });
}

function trim(text: string): string {
  // Every White_Space code point is in the BMP, so a UTF-16 unit test is exact; a loop, unlike
  // /\s+$/, stays linear on long runs of spaces.
  let start = 0;
  let end = text.length;
  while (start < end && WHITE_SPACE.test(text[start] as string)) start++;
  while (end > start && WHITE_SPACE.test(text[end - 1] as string)) end--;
  return text.slice(start, end);
}

function substring(text: string, pos: number, length: number | undefined, errors: ErrorSink): string {
  const chars = codePoints(text);
  if (pos > chars.length || pos < -chars.length) {
    functionError(errors, `SUBSTRING position ${pos} is outside a string of length ${chars.length}`);
    return '';
  }
  if (length !== undefined && length < 0) {
    functionError(errors, `SUBSTRING length ${length} is negative`);
    return '';
  }
  if (pos === 0) return '';
  const start = pos > 0 ? pos - 1 : chars.length + pos;
  const end = length === undefined ? chars.length : Math.min(chars.length, start + length);
  return chars.slice(start, end).join('');
}

/** The built-in functions every CESQL engine provides (spec 3.5), plus the casting functions. */
export const BUILTIN_FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'LENGTH',
    parameters: ['String'],
    returns: 'Integer',
    implementation: (args) => codePoints(str(args, 0)).length,
  },
  {
    name: 'CONCAT',
    parameters: [],
    variadic: 'String',
    returns: 'String',
    implementation: (args) => args.join(''),
  },
  {
    name: 'CONCAT_WS',
    parameters: ['String'],
    variadic: 'String',
    returns: 'String',
    implementation: (args) => args.slice(1).join(str(args, 0)),
  },
  {
    name: 'LOWER',
    parameters: ['String'],
    returns: 'String',
    implementation: (args) => str(args, 0).toLowerCase(),
  },
  {
    name: 'UPPER',
    parameters: ['String'],
    returns: 'String',
    implementation: (args) => str(args, 0).toUpperCase(),
  },
  { name: 'TRIM', parameters: ['String'], returns: 'String', implementation: (args) => trim(str(args, 0)) },
  {
    name: 'LEFT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    implementation: (args, errors) => {
      const [text, count] = [str(args, 0), int(args, 1)];
      if (count < 0) {
        functionError(errors, `LEFT length ${count} is negative`);
        return text;
      }
      return codePoints(text).slice(0, count).join('');
    },
  },
  {
    name: 'RIGHT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    implementation: (args, errors) => {
      const [text, count] = [str(args, 0), int(args, 1)];
      if (count < 0) {
        functionError(errors, `RIGHT length ${count} is negative`);
        return text;
      }
      const chars = codePoints(text);
      return chars.slice(Math.max(0, chars.length - count)).join('');
    },
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer'],
    returns: 'String',
    implementation: (args, errors) => substring(str(args, 0), int(args, 1), undefined, errors),
  },
  {
    name: 'SUBSTRING',
    parameters: ['String', 'Integer', 'Integer'],
    returns: 'String',
    implementation: (args, errors) => substring(str(args, 0), int(args, 1), int(args, 2), errors),
  },
  {
    name: 'ABS',
    parameters: ['Integer'],
    returns: 'Integer',
    implementation: (args, errors) => {
      const x = int(args, 0);
      if (x === INT32_MIN) {
        errors.push({ kind: 'math', message: `ABS(${x}) overflows a 32-bit integer` });
        return INT32_MAX;
      }
      return Math.abs(x);
    },
  },
  {
    name: 'INT',
    parameters: ['Any'],
    returns: 'Integer',
    implementation: (args, errors) => toIntegerValue(args[0] as Value, errors),
  },
  {
    name: 'BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    implementation: (args, errors) => toBooleanExplicit(args[0] as Value, errors),
  },
  {
    name: 'STRING',
    parameters: ['Any'],
    returns: 'String',
    implementation: (args) => toStringValue(args[0] as Value),
  },
  {
    name: 'IS_INT',
    parameters: ['Any'],
    returns: 'Boolean',
    implementation: (args) => {
      const probe: ErrorSink = [];
      toIntegerValue(args[0] as Value, probe);
      return probe.length === 0;
    },
  },
  {
    name: 'IS_BOOL',
    parameters: ['Any'],
    returns: 'Boolean',
    implementation: (args) => {
      const probe: ErrorSink = [];
      toBooleanExplicit(args[0] as Value, probe);
      return probe.length === 0;
    },
  },
];
