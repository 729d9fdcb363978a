import type { Condition } from '@sluice/core';
import type { SqlCheck } from '../triggers/trigger-body.ts';
import { fieldProblem, shown, type TriggerFieldProblem } from '../triggers/trigger-problem.ts';

/** A filter of the CloudEvents Subscriptions API, in one of its dialects. */
export type SubscriptionFilter =
  | { readonly exact: Readonly<Record<string, string>> }
  | { readonly prefix: Readonly<Record<string, string>> }
  | { readonly suffix: Readonly<Record<string, string>> }
  | { readonly all: ReadonlyArray<SubscriptionFilter> }
  | { readonly any: ReadonlyArray<SubscriptionFilter> }
  | { readonly not: SubscriptionFilter }
  | { readonly sql: string };

/** The dialects, in the order of the specification. */
export const FILTER_DIALECTS = ['exact', 'prefix', 'suffix', 'all', 'any', 'not', 'sql'] as const;

type AttributeDialect = 'exact' | 'prefix' | 'suffix';

/** A CloudEvents attribute name (spec: lowercase letters and digits, at most 20 recommended). */
const ATTRIBUTE = /^[a-z0-9]{1,20}$/;
/** Characters of one attribute value in a filter. */
export const MAX_FILTER_VALUE = 1024;
/** Filters nested in one subscription. */
const MAX_FILTER_DEPTH = 10;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The filters as one trigger condition: the list is `all` of its entries, `all`/`any`/`not` map to the
 * combinators, and each `exact`/`prefix`/`suffix` attribute becomes a CloudEvents SQL leaf over the
 * CloudEvents attributes of the envelope (`EXISTS a AND a = '…'`, `… LIKE '…%'`), so a filter means
 * what the specification says even under `not`. Null for no filters. Every problem is reported.
 */
export function filtersToCondition(
  filters: unknown,
  at: string,
  sql: SqlCheck | undefined,
  problems: TriggerFieldProblem[],
): Condition | null {
  if (!Array.isArray(filters)) {
    problems.push(fieldProblem(at, 'filter_dialect', `filters is a list of filters, got ${shown(filters)}`));
    return null;
  }
  const conditions = filters.map((filter, i) => toCondition(filter, `${at}[${i}]`, 1, sql, problems));
  return combine(
    'all',
    conditions.filter((c): c is Condition => c !== null),
  );
}

function combine(kind: 'all' | 'any', conditions: Condition[]): Condition | null {
  if (conditions.length === 0) return null;
  if (conditions.length === 1) return conditions[0] ?? null;
  return kind === 'all' ? { all: conditions } : { any: conditions };
}

function toCondition(
  filter: unknown,
  at: string,
  depth: number,
  sql: SqlCheck | undefined,
  problems: TriggerFieldProblem[],
): Condition | null {
  if (depth > MAX_FILTER_DEPTH) {
    problems.push(fieldProblem(at, 'filter_dialect', `filters nest at most ${MAX_FILTER_DEPTH} deep`));
    return null;
  }
  const dialects = isObject(filter) ? FILTER_DIALECTS.filter((dialect) => filter[dialect] !== undefined) : [];
  const dialect = dialects[0];
  if (!isObject(filter) || dialects.length !== 1 || dialect === undefined) {
    problems.push(
      fieldProblem(
        at,
        'filter_dialect',
        `a filter has exactly one of ${FILTER_DIALECTS.join(', ')}, got ${shown(filter)}`,
      ),
    );
    return null;
  }
  const value = filter[dialect];
  const here = `${at}.${dialect}`;
  // The SQL dialect allows other members (spec); the others have their one member only.
  if (dialect !== 'sql') {
    for (const key of Object.keys(filter)) {
      if (key !== dialect)
        problems.push(
          fieldProblem(`${at}.${key}`, 'field_unknown', `a ${dialect} filter has only ${dialect}`),
        );
    }
  }
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return attributeFilter(dialect, value, here, problems);
    case 'all':
    case 'any': {
      if (!Array.isArray(value) || value.length === 0) {
        problems.push(
          fieldProblem(
            here,
            'filter_dialect',
            `${dialect} is a non-empty list of filters, got ${shown(value)}`,
          ),
        );
        return null;
      }
      const children = value.map((child, i) => toCondition(child, `${here}[${i}]`, depth + 1, sql, problems));
      return combine(
        dialect,
        children.filter((c): c is Condition => c !== null),
      );
    }
    case 'not': {
      const inner = toCondition(value, here, depth + 1, sql, problems);
      return inner === null ? null : { not: inner };
    }
    case 'sql': {
      if (typeof value !== 'string' || value.trim() === '') {
        problems.push(
          fieldProblem(here, 'sql_type', `sql is a CloudEvents SQL expression, got ${shown(value)}`),
        );
        return null;
      }
      if (sql === undefined) {
        problems.push(fieldProblem(here, 'sql_unavailable', 'this server evaluates no CloudEvents SQL'));
        return null;
      }
      const checked = sql(value);
      if (!checked.ok) {
        problems.push(fieldProblem(here, 'sql_invalid', checked.message));
        return null;
      }
      return { sql: value };
    }
  }
}

function attributeFilter(
  dialect: AttributeDialect,
  value: unknown,
  at: string,
  problems: TriggerFieldProblem[],
): Condition | null {
  if (!isObject(value) || Object.keys(value).length === 0) {
    problems.push(
      fieldProblem(
        at,
        'filter_dialect',
        `${dialect} maps CloudEvents attributes to strings, e.g. {"type": "order.created"}, got ${shown(value)}`,
      ),
    );
    return null;
  }
  const leaves: Condition[] = [];
  for (const [attribute, text] of Object.entries(value)) {
    const path = `${at}.${attribute}`;
    if (!ATTRIBUTE.test(attribute)) {
      problems.push(
        fieldProblem(
          path,
          'filter_attribute',
          `${shown(attribute)} is not a CloudEvents attribute name (lowercase letters and digits, at most 20)`,
        ),
      );
    } else if (typeof text !== 'string' || text.length > MAX_FILTER_VALUE || text.endsWith('\\')) {
      problems.push(
        fieldProblem(
          path,
          'filter_value',
          `an attribute value is a string of at most ${MAX_FILTER_VALUE} characters that does not end with a backslash, got ${shown(text)}`,
        ),
      );
    } else {
      leaves.push({ sql: attributeSql(dialect, attribute, text) });
    }
  }
  return combine('all', leaves);
}

/** The CloudEvents SQL of one attribute filter; {@link sqlToAttributeFilter} reads it back. */
export function attributeSql(dialect: AttributeDialect, attribute: string, value: string): string {
  const like = (text: string) => text.replace(/[%_]/g, (ch) => `\\${ch}`);
  const literal = dialect === 'exact' ? value : dialect === 'prefix' ? `${like(value)}%` : `%${like(value)}`;
  const op = dialect === 'exact' ? '=' : 'LIKE';
  return `(EXISTS ${attribute} AND ${attribute} ${op} '${literal.replace(/'/g, "\\'")}')`;
}

const CANONICAL_HEAD = /^\(EXISTS ([a-z0-9]{1,20}) AND ([a-z0-9]{1,20}) (=|LIKE) '/;

/** The attribute filter an expression of {@link attributeSql} came from; null for any other SQL. */
export function sqlToAttributeFilter(sql: string): SubscriptionFilter | null {
  const match = CANONICAL_HEAD.exec(sql);
  if (match === null) return null;
  const [head, attribute, again, op] = match;
  if (attribute === undefined || attribute !== again) return null;
  const literal = readQuoted(sql, head.length);
  if (literal === null || sql.slice(literal.end) !== ')') return null;
  const text = literal.value;
  if (text.endsWith('\\')) return null;
  if (op === '=') return { exact: { [attribute]: text } };
  const tokens = likeTokens(text);
  const wildcards = tokens.filter((t) => t.wildcard);
  if (wildcards.length !== 1 || wildcards[0]?.char !== '%') return null;
  const plain = tokens
    .filter((t) => !t.wildcard)
    .map((t) => t.char)
    .join('');
  if (tokens.at(-1)?.wildcard === true) return { prefix: { [attribute]: plain } };
  if (tokens[0]?.wildcard === true) return { suffix: { [attribute]: plain } };
  return null;
}

/** A single-quoted literal from `start` (after its quote), read as the CESQL lexer reads it. */
function readQuoted(text: string, start: number): { value: string; end: number } | null {
  let value = '';
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === "'") {
      value += "'";
      i++;
    } else if (ch === "'") {
      return { value, end: i + 1 };
    } else {
      value += ch;
    }
  }
  return null;
}

function likeTokens(pattern: string): Array<{ char: string; wildcard: boolean }> {
  const chars = Array.from(pattern);
  const tokens: Array<{ char: string; wildcard: boolean }> = [];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      tokens.push({ char: next, wildcard: false });
      i++;
    } else {
      tokens.push({ char: ch, wildcard: ch === '%' || ch === '_' });
    }
  }
  return tokens;
}

/**
 * A condition as filters, when it is made only of what filters can say (combinators over SQL); null
 * when it holds a leaf of the condition language, which only a trigger can show.
 */
export function conditionToFilters(condition: Condition): SubscriptionFilter[] | null {
  if ('all' in condition) {
    const children = condition.all.map(toFilter);
    return children.every((c) => c !== null) ? (children as SubscriptionFilter[]) : null;
  }
  const one = toFilter(condition);
  return one === null ? null : [one];
}

function toFilter(condition: Condition): SubscriptionFilter | null {
  if ('sql' in condition) return sqlToAttributeFilter(condition.sql) ?? { sql: condition.sql };
  if ('not' in condition) {
    const inner = toFilter(condition.not);
    return inner === null ? null : { not: inner };
  }
  if ('all' in condition || 'any' in condition) {
    const list = 'all' in condition ? condition.all : condition.any;
    const children = list.map(toFilter);
    if (!children.every((c) => c !== null)) return null;
    return 'all' in condition
      ? { all: children as SubscriptionFilter[] }
      : { any: children as SubscriptionFilter[] };
  }
  return null;
}
