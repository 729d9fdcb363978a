import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compile, matches } from '@sluice/cesql';
import type { Condition } from '@sluice/core';
import type { SqlCheck } from '../triggers/trigger-body.ts';
import type { TriggerFieldProblem } from '../triggers/trigger-problem.ts';
import {
  attributeSql,
  conditionToFilters,
  filtersToCondition,
  type SubscriptionFilter,
  sqlToAttributeFilter,
} from './subscription-filters.ts';

const check: SqlCheck = (text) => {
  const compiled = compile(text);
  return compiled.ok ? { ok: true } : { ok: false, message: compiled.error.message };
};

/** The condition over CloudEvents attributes, its SQL leaves run by the CESQL engine. */
function holds(condition: Condition, attributes: Record<string, string>): boolean {
  if ('all' in condition) return condition.all.every((c) => holds(c, attributes));
  if ('any' in condition) return condition.any.some((c) => holds(c, attributes));
  if ('not' in condition) return !holds(condition.not, attributes);
  if (!('sql' in condition)) throw new Error('filters make only SQL leaves');
  const compiled = compile(condition.sql);
  assert.ok(compiled.ok, condition.sql);
  return matches(compiled.compiled, attributes);
}

/** The specification's meaning of a filter, written out directly. */
function reference(filter: SubscriptionFilter, attributes: Record<string, string>): boolean {
  const each = (map: Readonly<Record<string, string>>, test: (actual: string, value: string) => boolean) =>
    Object.entries(map).every(([name, value]) => {
      const actual = attributes[name];
      return actual !== undefined && test(actual, value);
    });
  if ('exact' in filter) return each(filter.exact, (a, v) => a === v);
  if ('prefix' in filter) return each(filter.prefix, (a, v) => a.startsWith(v));
  if ('suffix' in filter) return each(filter.suffix, (a, v) => a.endsWith(v));
  if ('all' in filter) return filter.all.every((f) => reference(f, attributes));
  if ('any' in filter) return filter.any.some((f) => reference(f, attributes));
  if ('not' in filter) return !reference(filter.not, attributes);
  throw new Error('no reference for sql');
}

const TRICKY = ["it's", '50%_off', 'a\\b', "a\\'b", '\\%', '', 'order.created', '%', '_', "''"];
const EVENTS: ReadonlyArray<Record<string, string>> = [
  { type: 'order.created', subject: "it's", source: '/shop' },
  { type: '50%_off', subject: 'a\\b', source: "a\\'b" },
  { type: 'order.created.v2', subject: '\\%', source: '%' },
  { type: '50X_off', subject: '', source: '_' },
  { type: "''", source: '/x' },
];

const toCondition = (filters: unknown): { condition: Condition | null; problems: TriggerFieldProblem[] } => {
  const problems: TriggerFieldProblem[] = [];
  return { condition: filtersToCondition(filters, 'filters', check, problems), problems };
};

describe('subscription filters', () => {
  it('mean what the specification says, escaping quotes, wildcards and backslashes', () => {
    const filters: SubscriptionFilter[] = [];
    for (const value of TRICKY) {
      filters.push({ exact: { type: value } }, { prefix: { type: value } }, { suffix: { source: value } });
      filters.push({ not: { exact: { subject: value } } }, { not: { prefix: { subject: value } } });
    }
    filters.push({ all: [{ prefix: { type: 'order.' } }, { not: { suffix: { type: '.v2' } } }] });
    filters.push({ any: [{ exact: { subject: "it's" } }, { exact: { source: '%' } }] });
    filters.push({ exact: { type: 'order.created', source: '/shop' } });
    for (const filter of filters) {
      const { condition, problems } = toCondition([filter]);
      assert.deepEqual(problems, []);
      assert.ok(condition !== null);
      for (const event of EVENTS) {
        assert.equal(
          holds(condition, event),
          reference(filter, event),
          `${JSON.stringify(filter)} on ${JSON.stringify(event)}`,
        );
      }
    }
  });

  it('read back as the filters they came from', () => {
    for (const value of TRICKY) {
      for (const dialect of ['exact', 'prefix', 'suffix'] as const) {
        const sql = attributeSql(dialect, 'subject', value);
        // An empty prefix and an empty suffix are one filter (every present value); it reads as prefix.
        const expected = value === '' && dialect === 'suffix' ? 'prefix' : dialect;
        assert.deepEqual(sqlToAttributeFilter(sql), { [expected]: { subject: value } }, sql);
      }
    }
    const filters: SubscriptionFilter[] = [
      { exact: { type: 'order.created' } },
      { not: { any: [{ prefix: { subject: 'order:' } }, { suffix: { source: '/test' } }] } },
      { sql: "EXISTS correlationid AND type LIKE 'a%b'" },
    ];
    const { condition } = toCondition(filters);
    assert.ok(condition !== null);
    assert.deepEqual(conditionToFilters(condition), filters);
    // Hand-written SQL that only looks alike stays SQL.
    assert.equal(sqlToAttributeFilter("(EXISTS type AND type LIKE 'a%b%')"), null);
    assert.equal(sqlToAttributeFilter("(EXISTS type AND subject = 'x')"), null);
    assert.equal(sqlToAttributeFilter("(EXISTS type AND type = 'x') OR true"), null);
  });

  it('cannot show a leaf of the condition language as a filter', () => {
    assert.equal(conditionToFilters({ path: 'payload.total', op: 'gt', value: 1 }), null);
    assert.equal(
      conditionToFilters({ all: [{ sql: 'true' }, { not: { path: 'source', op: 'exists' } }] }),
      null,
    );
  });

  it('report every bad filter with its path and rule', () => {
    const { problems } = toCondition([
      { exact: { type: 'a' }, prefix: { type: 'b' } },
      { exact: { Type: 'a' } },
      { suffix: { type: 'ends\\' } },
      { exact: { type: 7 } },
      { all: [] },
      { not: { sql: "type = 'x' AND" } },
      { sql: 42 },
      { exact: {} },
      'type = x',
    ]);
    assert.deepEqual(
      problems.map((p) => `${p.path} ${p.rule}`),
      [
        'filters[0] filter_dialect',
        'filters[1].exact.Type filter_attribute',
        'filters[2].suffix.type filter_value',
        'filters[3].exact.type filter_value',
        'filters[4].all filter_dialect',
        'filters[5].not.sql sql_invalid',
        'filters[6].sql sql_type',
        'filters[7].exact filter_dialect',
        'filters[8] filter_dialect',
      ],
    );
    const none: TriggerFieldProblem[] = [];
    filtersToCondition([{ sql: 'true' }], 'filters', undefined, none);
    assert.equal(none[0]?.rule, 'sql_unavailable');
  });
});
