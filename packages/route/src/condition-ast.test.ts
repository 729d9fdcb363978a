import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateCondition } from './condition-ast.ts';
import { CONDITION_LIMITS } from './condition-problem.ts';

/** The `path: rule` pairs of every problem found in `input`. */
const problemsOf = (input: unknown, sql = false): string[] => {
  const result = validateCondition(input, { sql });
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.rule}`);
};

const leaf = { path: 'payload.total', op: 'gt', value: 100 };

describe('validateCondition: valid conditions', () => {
  it('accepts leaves of every operator and nested combinators', () => {
    const condition = {
      all: [
        leaf,
        { path: 'payload.status', op: 'in', value: ['paid', 'shipped', 1, true, null] },
        {
          any: [{ path: 'source', op: 'eq', value: 'cn-shop' }, { not: { path: 'payload.x', op: 'exists' } }],
        },
        { path: 'payload.tags', op: 'contains', value: 'vip' },
        { path: 'payload.name', op: 'lt', value: 'm' },
        { path: 'payload.entity.kind', op: 'neq', value: null },
      ],
    };
    const result = validateCondition(condition);
    assert.ok(result.ok);
    assert.equal(result.condition, condition);
  });
});

describe('validateCondition: problems', () => {
  it('reports every problem at once, each at the JSON path of its field', () => {
    assert.deepEqual(
      problemsOf({
        all: [
          leaf,
          { path: 'payload.total', op: 'equals', value: 1 },
          { path: 'payloads.total', op: 'eq', value: 1 },
          { path: 'payload..x', op: 'exists', value: 1 },
          { path: 7, op: 'in', value: [{}] },
        ],
      }),
      [
        'condition.all[1].op: op_unknown',
        'condition.all[2].path: path_root_unknown',
        'condition.all[3].path: path_format',
        'condition.all[3].value: value_unexpected',
        'condition.all[4].path: path_type',
        'condition.all[4].value[0]: value_type',
      ],
    );
  });

  it('names the rule and the bad value in the message', () => {
    const result = validateCondition({ any: [leaf, { path: 'payload.a', op: 'equals', value: 1 }] });
    assert.ok(!result.ok);
    assert.match(result.problems[0]?.message ?? '', /^condition\.any\[1\]\.op: rule op_unknown: .*"equals"/);
  });

  it('checks the shape of nodes and their keys', () => {
    assert.deepEqual(problemsOf(null), ['condition: node_shape']);
    assert.deepEqual(problemsOf([leaf]), ['condition: node_shape']);
    assert.deepEqual(problemsOf({}), ['condition: node_shape']);
    assert.deepEqual(problemsOf({ all: [leaf, leaf], not: leaf }), ['condition: node_shape']);
    assert.deepEqual(problemsOf({ ...leaf, extra: 1 }), ['condition.extra: key_unknown']);
    assert.deepEqual(problemsOf({ not: leaf, also: 1 }), ['condition.also: key_unknown']);
    assert.deepEqual(problemsOf({ all: leaf }), ['condition.all: node_shape']);
  });

  it('types values by operator', () => {
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'gt', value: true }), [
      'condition.value: value_type',
    ]);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'eq' }), ['condition.value: value_missing']);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'eq', value: [1] }), [
      'condition.value: value_type',
    ]);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'in', value: 'x' }), [
      'condition.value: value_type',
    ]);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'in', value: [] }), ['condition.value: list_size']);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'eq', value: Number.NaN }), [
      'condition.value: value_type',
    ]);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'contains', value: { a: 1 } }), [
      'condition.value: value_type',
    ]);
  });

  it('needs two or more conditions in all and any', () => {
    assert.deepEqual(problemsOf({ all: [leaf] }), ['condition.all: list_size']);
    assert.deepEqual(problemsOf({ any: [] }), ['condition.any: list_size']);
  });

  it('reports sql as unavailable without an engine, and checks its text', () => {
    assert.deepEqual(problemsOf({ sql: "type = 'order.created'" }), ['condition.sql: sql_unavailable']);
    assert.deepEqual(problemsOf({ sql: "type = 'order.created'" }, true), []);
    assert.deepEqual(problemsOf({ sql: '  ' }, true), ['condition.sql: sql_type']);
  });
});

describe('validateCondition: hostile input stays bounded', () => {
  it('stops at the depth limit, however deep the nesting', () => {
    let deep: unknown = leaf;
    for (let i = 0; i < 100_000; i++) deep = { not: deep };
    const problems = problemsOf(deep);
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /depth_exceeded$/);
    assert.equal((problems[0] ?? '').split('.not').length - 1, CONDITION_LIMITS.maxDepth);
  });

  it('survives a cycle', () => {
    const cyclic: { not: unknown } = { not: null };
    cyclic.not = cyclic;
    assert.match(problemsOf(cyclic)[0] ?? '', /depth_exceeded$/);
  });

  it('refuses huge lists without walking them', () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i);
    assert.deepEqual(problemsOf({ path: 'payload.a', op: 'in', value: values }), [
      'condition.value: list_size',
    ]);
    const many = Array.from({ length: 100_000 }, () => leaf);
    assert.deepEqual(problemsOf({ any: many }), ['condition.any: list_size']);
  });

  it('caps the total number of conditions and of problems', () => {
    const wide = { all: Array.from({ length: 60 }, () => ({ any: Array.from({ length: 60 }, () => leaf) })) };
    assert.ok(problemsOf(wide).includes(`condition.all[4].any[10]: nodes_exceeded`), problemsOf(wide).join());
    const bad = { all: Array.from({ length: 64 }, () => ({ path: 'x', op: 'y' })) };
    assert.equal(problemsOf(bad).length, CONDITION_LIMITS.maxProblems);
  });

  it('keeps long strings out of the message', () => {
    const result = validateCondition({ path: 'payload.a', op: 'gt', value: 'x'.repeat(10_000) });
    assert.ok(!result.ok);
    assert.equal(result.problems[0]?.rule, 'value_too_long');
    assert.ok((result.problems[0]?.message.length ?? 0) < 200);
  });
});
