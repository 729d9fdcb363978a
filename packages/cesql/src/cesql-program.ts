import { depthLimit, type ParseLimits, parse } from './cesql-parser.ts';
import type { Value } from './cesql-value.ts';
import { checkExpression } from './check-expression.ts';
import type { EvaluationError, ParseError } from './evaluation-error.ts';
import type { EventAttributes } from './event-attributes.ts';
import type { Expression } from './expression-ast.ts';
import { compileExpression, type Evaluator } from './expression-compiler.ts';
import { BUILTIN_TABLE, type FunctionTable } from './function-table.ts';

/** Options of {@link compile}. */
export interface CompileOptions extends ParseLimits {
  /** Functions callable from the expression; the built-ins by default (see `defineFunctions`). */
  readonly functions?: FunctionTable;
}

/** A compiled expression, reusable across events and safe to share. */
export interface CompiledExpression {
  readonly expression: Expression;
  readonly run: Evaluator;
}

/** The outcome of {@link compile}. */
export type CompileResult = { ok: true; compiled: CompiledExpression } | { ok: false; error: ParseError };

/**
 * The outcome of an evaluation: always a value, and every error raised on the way (spec 3.3). A
 * non-empty `errors` means `value` is the fallback the spec defines, not a real answer.
 */
export interface EvaluationResult {
  readonly value: Value;
  readonly errors: readonly EvaluationError[];
}

/**
 * Parses (when given text) and compiles an expression once, for evaluation over many events. A tree is
 * checked for shape and depth first; its problems come back as a parse error at position 0.
 */
export function compile(source: string | Expression, options: CompileOptions = {}): CompileResult {
  let expression: Expression;
  if (typeof source !== 'object' || source === null) {
    const parsed = parse(source, options);
    if (!parsed.ok) return parsed;
    expression = parsed.expression;
  } else {
    const problem = checkExpression(source, depthLimit(options));
    if (problem !== undefined) return { ok: false, error: { kind: 'parse', message: problem, position: 0 } };
    expression = source;
  }
  try {
    const run = compileExpression(expression, options.functions ?? BUILTIN_TABLE);
    return { ok: true, compiled: { expression, run } };
  } catch {
    // As in parse: only a call stack already nearly full gets here.
    const message = 'the expression nests too deeply for the remaining call stack';
    return { ok: false, error: { kind: 'parse', message, position: 0 } };
  }
}

/** Evaluates a compiled expression over one event's attributes. Never throws. */
export function evaluate(compiled: CompiledExpression, event: EventAttributes): EvaluationResult {
  const errors: EvaluationError[] = [];
  const attributes: EventAttributes = typeof event === 'object' && event !== null ? event : {};
  try {
    return { value: compiled.run(attributes, errors), errors };
  } catch (thrown) {
    // Only a hostile event (a throwing getter or proxy) gets here: the evaluator itself is total.
    errors.push({ kind: 'generic', message: `evaluation aborted: ${describeThrown(thrown)}` });
    return { value: false, errors };
  }
}

/**
 * Whether the event passes the expression as a filter (spec 1.2): the value is exactly `true` and no error
 * occurred.
 */
export function matches(compiled: CompiledExpression, event: EventAttributes): boolean {
  const { value, errors } = evaluate(compiled, event);
  return value === true && errors.length === 0;
}

function describeThrown(thrown: unknown): string {
  try {
    return thrown instanceof Error ? thrown.message : String(thrown);
  } catch {
    return 'an exception';
  }
}
