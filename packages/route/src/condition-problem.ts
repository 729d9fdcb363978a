/** The rules condition validation enforces; the stable `rule` of a problem. */
export type ConditionRule =
  | 'node_shape'
  | 'key_unknown'
  | 'path_type'
  | 'path_format'
  | 'path_root_unknown'
  | 'op_unknown'
  | 'value_missing'
  | 'value_unexpected'
  | 'value_type'
  | 'value_too_long'
  | 'list_size'
  | 'depth_exceeded'
  | 'nodes_exceeded'
  | 'sql_type'
  | 'sql_unavailable'
  | 'sql_invalid';

/** One broken rule of a condition, at a JSON path such as `condition.all[1].op`. */
export interface ConditionProblem {
  readonly path: string;
  readonly rule: ConditionRule;
  /** `condition.all[1].op: rule op_unknown: op is one of eq, neq, …, got "equals"` */
  readonly message: string;
}

/** Builds a problem whose message names the field's JSON path and the rule. */
export function conditionProblem(path: string, rule: ConditionRule, text: string): ConditionProblem {
  return { path, rule, message: `${path}: rule ${rule}: ${text}` };
}

/** Limits that keep validation, compilation and evaluation bounded on hostile input. */
export const CONDITION_LIMITS = {
  /** Nesting of `all`, `any` and `not`; a lone leaf has depth 1. */
  maxDepth: 10,
  /** Leaves plus combinators in one condition. */
  maxNodes: 256,
  /** Conditions in one `all` or `any` (at least 2: a single condition stands on its own). */
  minList: 2,
  maxList: 64,
  /** Values in one `in` list. */
  maxIn: 1000,
  /** Characters in a string value or a `sql` expression. */
  maxString: 4096,
  /** Characters and segments in a path. */
  maxPathLength: 256,
  maxPathSegments: 16,
  /** Characters of a text condition. */
  maxText: 65_536,
  /** Problems reported before validation stops looking. */
  maxProblems: 50,
} as const;
