import { CONDITION_OPS, type Condition, type ConditionOp } from '@sluice/core';
import { pathProblem } from './condition-path.ts';
import {
  type ConditionProblem,
  type ConditionRule,
  conditionProblem,
  CONDITION_LIMITS as LIMITS,
} from './condition-problem.ts';

/** A validated condition, or every problem found (up to a bound), each with its JSON path and rule. */
export type ConditionValidation =
  | { readonly ok: true; readonly condition: Condition }
  | { readonly ok: false; readonly problems: ReadonlyArray<ConditionProblem> };

/** Options of {@link validateCondition}. */
export interface ValidateConditionOptions {
  /** JSON path of the condition itself in error messages; `condition` by default. */
  readonly at?: string;
  /** Whether a CloudEvents SQL engine is plugged in; without one `{sql}` is `sql_unavailable`. */
  readonly sql?: boolean;
}

const OPS: ReadonlySet<string> = new Set(CONDITION_OPS);
const OP_LIST = CONDITION_OPS.join(', ');
const KINDS = ['all', 'any', 'not', 'sql'] as const;
const LEAF_KEYS: ReadonlySet<string> = new Set(['path', 'op', 'value']);
const SHAPES = 'a leaf {path, op, value?}, {all: [...]}, {any: [...]}, {not: ...} or {sql: "..."}';

interface Walk {
  readonly problems: ConditionProblem[];
  readonly sql: boolean;
  nodes: number;
}

/** A short, safe rendering of a bad value: scalars as JSON, anything else by kind (never throws). */
const show = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return isScalar(value) ? JSON.stringify(value) : kindOf(value);
};
const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isScalar = (value: unknown): boolean =>
  value === null ||
  typeof value === 'boolean' ||
  typeof value === 'string' ||
  (typeof value === 'number' && Number.isFinite(value));

function report(walk: Walk, at: string, rule: ConditionRule, text: string): void {
  if (walk.problems.length < LIMITS.maxProblems) walk.problems.push(conditionProblem(at, rule, text));
}

/**
 * Checks that `input` is a condition: every problem at once (bounded), each naming the field's JSON
 * path and a stable rule, e.g. `condition.all[1].op: rule op_unknown: ...`. Never throws.
 */
export function validateCondition(
  input: unknown,
  options: ValidateConditionOptions = {},
): ConditionValidation {
  const walk: Walk = { problems: [], sql: options.sql ?? false, nodes: 0 };
  checkNode(walk, input, options.at ?? 'condition', 1);
  return walk.problems.length === 0
    ? { ok: true, condition: input as Condition }
    : { ok: false, problems: walk.problems };
}

function checkNode(walk: Walk, node: unknown, at: string, depth: number): void {
  if (walk.problems.length >= LIMITS.maxProblems) return;
  walk.nodes++;
  if (walk.nodes === LIMITS.maxNodes + 1) {
    report(walk, at, 'nodes_exceeded', `a condition holds at most ${LIMITS.maxNodes} conditions in all`);
  }
  if (walk.nodes > LIMITS.maxNodes) return;
  if (depth > LIMITS.maxDepth) {
    report(walk, at, 'depth_exceeded', `conditions nest at most ${LIMITS.maxDepth} deep`);
    return;
  }
  if (!isRecord(node)) {
    report(walk, at, 'node_shape', `a condition is ${SHAPES}, got ${kindOf(node)}`);
    return;
  }
  const keys = Object.keys(node);
  const kinds: string[] = KINDS.filter((kind) => Object.hasOwn(node, kind));
  if (keys.some((key) => LEAF_KEYS.has(key))) kinds.push('leaf');
  if (kinds.length !== 1) {
    const has = keys.length === 0 ? 'no keys' : `keys ${keys.slice(0, 8).join(', ')}`;
    report(walk, at, 'node_shape', `a condition is exactly one of ${SHAPES}, got ${has}`);
    return;
  }
  const kind = kinds[0] ?? 'leaf';
  const allowed: ReadonlySet<string> = kind === 'leaf' ? LEAF_KEYS : new Set([kind]);
  for (const key of keys) {
    if (!allowed.has(key)) report(walk, `${at}.${key}`, 'key_unknown', `unknown key ${JSON.stringify(key)}`);
  }
  if (kind === 'all' || kind === 'any') checkList(walk, node[kind], `${at}.${kind}`, depth);
  else if (kind === 'not') checkNode(walk, node['not'], `${at}.not`, depth + 1);
  else if (kind === 'sql') checkSql(walk, node['sql'], `${at}.sql`);
  else checkLeaf(walk, node, at);
}

function checkList(walk: Walk, list: unknown, at: string, depth: number): void {
  if (!Array.isArray(list)) {
    report(walk, at, 'node_shape', `a list of conditions, got ${kindOf(list)}`);
    return;
  }
  if (list.length < LIMITS.minList || list.length > LIMITS.maxList) {
    report(
      walk,
      at,
      'list_size',
      `holds ${LIMITS.minList} to ${LIMITS.maxList} conditions (use a single condition on its own), got ${list.length}`,
    );
    if (list.length > LIMITS.maxList) return;
  }
  list.forEach((child, i) => {
    checkNode(walk, child, `${at}[${i}]`, depth + 1);
  });
}

function checkSql(walk: Walk, sql: unknown, at: string): void {
  if (typeof sql !== 'string' || sql.trim() === '') {
    report(walk, at, 'sql_type', `sql is a non-empty CloudEvents SQL expression, got ${show(sql)}`);
  } else if (sql.length > LIMITS.maxString) {
    report(walk, at, 'value_too_long', `sql is at most ${LIMITS.maxString} characters, got ${sql.length}`);
  } else if (!walk.sql) {
    report(walk, at, 'sql_unavailable', 'CloudEvents SQL conditions are not available in this router');
  }
}

function checkLeaf(walk: Walk, leaf: Record<string, unknown>, at: string): void {
  const { path, op, value } = leaf;
  if (typeof path !== 'string') {
    report(
      walk,
      `${at}.path`,
      'path_type',
      `path is a dotted string (e.g. "payload.total"), got ${show(path)}`,
    );
  } else {
    const problem = pathProblem(path);
    if (problem !== null) report(walk, `${at}.path`, problem.rule, problem.text);
  }
  if (typeof op !== 'string' || !OPS.has(op)) {
    report(walk, `${at}.op`, 'op_unknown', `op is one of ${OP_LIST}, got ${show(op)}`);
    return;
  }
  checkValue(walk, op as ConditionOp, value, `${at}.value`);
}

function checkValue(walk: Walk, op: ConditionOp, value: unknown, at: string): void {
  if (op === 'exists') {
    if (value !== undefined)
      report(walk, at, 'value_unexpected', `exists takes no value, got ${show(value)}`);
    return;
  }
  if (value === undefined) {
    report(walk, at, 'value_missing', `${op} needs a value`);
    return;
  }
  if (op === 'in') {
    if (!Array.isArray(value)) {
      report(
        walk,
        at,
        'value_type',
        `in takes a list of strings, numbers, booleans or null, got ${show(value)}`,
      );
    } else if (value.length < 1 || value.length > LIMITS.maxIn) {
      report(walk, at, 'list_size', `in takes 1 to ${LIMITS.maxIn} values, got ${value.length}`);
    } else {
      value.forEach((item, i) => {
        checkScalar(walk, item, `${at}[${i}]`, 'a string, number, boolean or null');
      });
    }
    return;
  }
  if (op === 'gt' || op === 'lt') {
    if (typeof value !== 'string' && typeof value !== 'number') {
      report(walk, at, 'value_type', `${op} compares with a number or a string, got ${show(value)}`);
      return;
    }
  }
  checkScalar(walk, value, at, 'a string, number, boolean or null');
}

function checkScalar(walk: Walk, value: unknown, at: string, expected: string): void {
  if (!isScalar(value)) report(walk, at, 'value_type', `expected ${expected}, got ${show(value)}`);
  else if (typeof value === 'string' && value.length > LIMITS.maxString) {
    report(
      walk,
      at,
      'value_too_long',
      `strings are at most ${LIMITS.maxString} characters, got ${value.length}`,
    );
  }
}
