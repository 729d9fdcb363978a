import type { Condition, ConditionScalar } from '@sluice/core';

const scalar = (value: ConditionScalar): string =>
  typeof value === 'number' && Object.is(value, -0) ? '-0' : JSON.stringify(value);

/** A combinator inside another condition is parenthesized, so the text parses back to the same tree. */
const child = (node: Condition): string =>
  'all' in node || 'any' in node ? `(${printCondition(node)})` : printCondition(node);

/** Prints a valid condition in the text form; `parseCondition(printCondition(c))` deep-equals `c`. */
export function printCondition(condition: Condition): string {
  if ('all' in condition) return condition.all.map(child).join(' and ');
  if ('any' in condition) return condition.any.map(child).join(' or ');
  if ('not' in condition) return `not ${child(condition.not)}`;
  if ('sql' in condition) return `sql ${JSON.stringify(condition.sql)}`;
  const { path, op, value } = condition;
  if (value === undefined) return `${path} ${op}`;
  const text = Array.isArray(value) ? `[${value.map(scalar).join(', ')}]` : scalar(value as ConditionScalar);
  return `${path} ${op} ${text}`;
}
