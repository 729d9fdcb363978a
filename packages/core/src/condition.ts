/**
 * The trigger condition language as data (DESIGN.md §1, route). Validation, the text form and the
 * compiler live in `@sluice/route`; this file holds only the shapes every stage may name.
 */

/** Leaf operators, in documentation order. */
export const CONDITION_OPS = ['eq', 'neq', 'gt', 'lt', 'in', 'contains', 'exists'] as const;

/** A leaf operator: `eq neq gt lt in contains exists`. */
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** A JSON scalar a leaf compares against. */
export type ConditionScalar = string | number | boolean | null;

/** One comparison of the value at a dotted `path` into the envelope, e.g. `payload.total gt 100`. */
export interface ConditionLeaf {
  /** Dotted path whose first segment is an envelope field: `payload.total`, `source`. */
  readonly path: string;
  readonly op: ConditionOp;
  /** A scalar; a list of scalars for `in`; absent for `exists`. */
  readonly value?: ConditionScalar | ReadonlyArray<ConditionScalar>;
}

/** Holds when every condition holds. */
export interface ConditionAll {
  readonly all: ReadonlyArray<Condition>;
}

/** Holds when at least one condition holds. */
export interface ConditionAny {
  readonly any: ReadonlyArray<Condition>;
}

/** Holds when the condition does not. */
export interface ConditionNot {
  readonly not: Condition;
}

/** A CloudEvents SQL expression, evaluated by an engine the router is given. */
export interface ConditionSql {
  readonly sql: string;
}

/** A trigger condition: a leaf, a combinator or a CloudEvents SQL expression. */
export type Condition = ConditionLeaf | ConditionAll | ConditionAny | ConditionNot | ConditionSql;
