import type { Condition, ConditionLeaf, ConditionScalar, Envelope } from '@sluice/core';
import { validateCondition } from './condition-ast.ts';
import { compilePath } from './condition-path.ts';
import { type ConditionProblem, conditionProblem } from './condition-problem.ts';
import type { SqlHook } from './sql-hook.ts';

/** A condition compiled once into a predicate over envelopes. */
export type EnvelopePredicate = (envelope: Envelope) => boolean;

/** The predicate, or every problem of the condition. */
export type CompiledCondition =
  | { readonly ok: true; readonly matches: EnvelopePredicate }
  | { readonly ok: false; readonly problems: ReadonlyArray<ConditionProblem> };

/** Options of {@link compileCondition}. */
export interface CompileConditionOptions {
  /** JSON path of the condition in problems; `condition` by default. */
  readonly at?: string;
  /** The CloudEvents SQL engine for `{sql}` conditions. */
  readonly sql?: SqlHook | undefined;
}

/**
 * Validates `input` and compiles it into a predicate: paths split once, `in` lists as Sets, typed
 * comparisons (`gt`/`lt` hold only between two numbers or two strings). Never throws.
 */
export function compileCondition(input: unknown, options: CompileConditionOptions = {}): CompiledCondition {
  const at = options.at ?? 'condition';
  const validation = validateCondition(input, { at, sql: options.sql !== undefined });
  if (!validation.ok) return validation;
  const problems: ConditionProblem[] = [];
  const matches = compileNode(validation.condition, at, options.sql, problems);
  return problems.length === 0 ? { ok: true, matches } : { ok: false, problems };
}

const never: EnvelopePredicate = () => false;

function compileNode(
  node: Condition,
  at: string,
  sql: SqlHook | undefined,
  problems: ConditionProblem[],
): EnvelopePredicate {
  if ('all' in node)
    return all(node.all.map((child, i) => compileNode(child, `${at}.all[${i}]`, sql, problems)));
  if ('any' in node)
    return any(node.any.map((child, i) => compileNode(child, `${at}.any[${i}]`, sql, problems)));
  if ('not' in node) {
    const inner = compileNode(node.not, `${at}.not`, sql, problems);
    return (envelope) => !inner(envelope);
  }
  if ('sql' in node) {
    const compiled = sql?.(node.sql);
    if (compiled === undefined) return never;
    if (compiled.ok) return (envelope) => compiled.matches(envelope);
    problems.push(conditionProblem(`${at}.sql`, 'sql_invalid', compiled.problem.message));
    return never;
  }
  return compileLeaf(node);
}

function all(children: EnvelopePredicate[]): EnvelopePredicate {
  const [a = never, b = never] = children;
  if (children.length === 2) return (envelope) => a(envelope) && b(envelope);
  return (envelope) => {
    for (const child of children) if (!child(envelope)) return false;
    return true;
  };
}

function any(children: EnvelopePredicate[]): EnvelopePredicate {
  const [a = never, b = never] = children;
  if (children.length === 2) return (envelope) => a(envelope) || b(envelope);
  return (envelope) => {
    for (const child of children) if (child(envelope)) return true;
    return false;
  };
}

function compileLeaf(leaf: ConditionLeaf): EnvelopePredicate {
  const read = compilePath(leaf.path);
  const value = leaf.value;
  switch (leaf.op) {
    case 'exists':
      return (envelope) => read(envelope) != null;
    case 'eq':
      return (envelope) => read(envelope) === value;
    case 'neq':
      return (envelope) => read(envelope) !== value;
    case 'in': {
      const members = new Set<unknown>(value as ReadonlyArray<ConditionScalar>);
      return (envelope) => {
        const actual = read(envelope);
        return (typeof actual !== 'object' || actual === null) && members.has(actual);
      };
    }
    case 'gt':
      return typeof value === 'number'
        ? (envelope) => {
            const actual = read(envelope);
            return typeof actual === 'number' && actual > value;
          }
        : (envelope) => {
            const actual = read(envelope);
            return typeof actual === 'string' && actual > (value as string);
          };
    case 'lt':
      return typeof value === 'number'
        ? (envelope) => {
            const actual = read(envelope);
            return typeof actual === 'number' && actual < value;
          }
        : (envelope) => {
            const actual = read(envelope);
            return typeof actual === 'string' && actual < (value as string);
          };
    case 'contains':
      return (envelope) => {
        const actual = read(envelope);
        if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
        return Array.isArray(actual) && actual.includes(value);
      };
  }
}
