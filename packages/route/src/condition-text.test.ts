import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { printCondition } from './condition-printer.ts';
import { parseCondition } from './condition-text.ts';

const parsed = (text: string): unknown => {
  const result = parseCondition(text);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.condition;
};
/** The column and message of the error `text` fails with. */
const failure = (text: string): { column: number; message: string } => {
  const result = parseCondition(text);
  assert.ok(!result.ok, `${text} should not parse`);
  assert.ok(result.error.message.startsWith(`column ${result.error.column}: `), result.error.message);
  return result.error;
};

describe('parseCondition', () => {
  it('reads the example from the trigger API', () => {
    assert.deepEqual(parsed('payload.total gt 100 and payload.status in ["paid","shipped"]'), {
      all: [
        { path: 'payload.total', op: 'gt', value: 100 },
        { path: 'payload.status', op: 'in', value: ['paid', 'shipped'] },
      ],
    });
  });

  it('binds not tighter than and, and tighter than or; parentheses group', () => {
    const a = { path: 'payload.a', op: 'eq', value: 1 };
    const b = { path: 'payload.b', op: 'exists' };
    const c = { path: 'source', op: 'neq', value: 'x' };
    assert.deepEqual(parsed('payload.a eq 1 or payload.b exists and source neq "x"'), {
      any: [a, { all: [b, c] }],
    });
    assert.deepEqual(parsed('(payload.a eq 1 or payload.b exists) and source neq "x"'), {
      all: [{ any: [a, b] }, c],
    });
    assert.deepEqual(parsed('not payload.a eq 1 and payload.b exists'), { all: [{ not: a }, b] });
    assert.deepEqual(parsed('not (payload.a eq 1 and payload.b exists)'), { not: { all: [a, b] } });
    assert.deepEqual(parsed('((payload.a eq 1))'), a);
    assert.deepEqual(parsed('(payload.a eq 1 and payload.b exists) and source neq "x"'), {
      all: [{ all: [a, b] }, c],
    });
  });

  it('reads every kind of literal and the sql form', () => {
    assert.deepEqual(parsed('payload.a in ["x\\n\\u00e9", -1.5e3, 0, true, false, null]'), {
      path: 'payload.a',
      op: 'in',
      value: ['x\né', -1500, 0, true, false, null],
    });
    assert.deepEqual(parsed('\tpayload.a\neq\r\n"é"  '), { path: 'payload.a', op: 'eq', value: 'é' });
    assert.deepEqual(parsed('sql "type = \'order.created\'" and payload.x exists'), {
      all: [{ sql: "type = 'order.created'" }, { path: 'payload.x', op: 'exists' }],
    });
  });

  it('names the column of the first error', () => {
    assert.equal(failure('payload.total equals 3').column, 15);
    assert.match(failure('payload.total equals 3').message, /expected an operator \(eq, neq/);
    assert.equal(failure('payload.total gt').column, 17);
    assert.equal(failure('payload.total gt 1 and').column, 23);
    assert.equal(failure('payload.total gt 1 payload.x exists').column, 20);
    assert.equal(failure('(payload.total gt 1').column, 20);
    assert.equal(failure('payload.total gt 1)').column, 19);
    assert.equal(failure('payload.s eq "open').column, 14);
    assert.equal(failure("payload.s eq 'open'").column, 14);
    assert.equal(failure('payload.s in [1, 2').column, 19);
    assert.equal(failure('payload.s in [1 2]').column, 17);
    assert.equal(failure('payload.s eq 1e999').column, 14);
    assert.equal(failure('payload.s gt true').column, 14);
    assert.equal(failure('payload.s exists 1').column, 18);
    assert.equal(failure('payloads.s exists').column, 1);
    assert.match(failure('payloads.s exists').message, /rule path_root_unknown/);
    assert.equal(failure('payload.s eq 1 and payload..x eq 2').column, 20);
    assert.equal(failure('payload.s in []').column, 14);
    assert.equal(failure('').column, 1);
    assert.equal(failure('sql 42').column, 5);
    assert.equal(failure('payload.a eq 1 & payload.b eq 2').column, 16);
    assert.equal(parseCondition(undefined as unknown as string).ok, false);
  });

  it('stays bounded on deep nesting and long input', () => {
    const parens = failure(`${'('.repeat(60_000)}payload.a exists`);
    assert.match(parens.message, /nest at most 20 deep/);
    assert.equal(parens.column, 21);
    assert.match(failure(`${'not '.repeat(15_000)}payload.a exists`).message, /nest at most/);
    assert.match(failure(`${'not '.repeat(11)}payload.a exists`).message, /rule depth_exceeded/);
    assert.match(failure(`payload.a eq "${'x'.repeat(70_000)}"`).message, /at most 65536 characters/);
    const many = Array.from({ length: 65 }, () => 'payload.a exists').join(' and ');
    assert.match(failure(many).message, /rule list_size/);
    const list = `payload.a in [${Array.from({ length: 1001 }, (_, i) => i).join(',')}]`;
    assert.match(failure(list).message, /at most 1000 values/);
  });
});

describe('printCondition', () => {
  it('prints the text form, parenthesizing nested combinators', () => {
    const a = { path: 'payload.a', op: 'eq', value: 'x"y' } as const;
    const b = { path: 'payload.b', op: 'in', value: [1, -0, null] } as const;
    assert.equal(
      printCondition({ all: [a, { any: [b, { not: { all: [a, b] } }] }, { sql: "x = 'y'" }] }),
      'payload.a eq "x\\"y" and (payload.b in [1, -0, null] or not (payload.a eq "x\\"y" and payload.b in [1, -0, null])) and sql "x = \'y\'"',
    );
  });
});
