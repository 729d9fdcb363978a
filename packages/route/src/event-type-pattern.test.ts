import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EventTypePattern, matchesEventType, parseEventTypePattern } from './event-type-pattern.ts';

const parse = (text: string): EventTypePattern => {
  const result = parseEventTypePattern(text);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.message}`);
  return result.pattern;
};
const matches = (text: string, type: string): boolean => matchesEventType(parse(text), type);

describe('parseEventTypePattern', () => {
  it('classifies exact types, prefixes, suffixes, the catch-all and other globs', () => {
    assert.deepEqual(parse('order.created'), { kind: 'exact', type: 'order.created' });
    assert.deepEqual(parse('order.*'), { kind: 'prefix', prefix: 'order' });
    assert.deepEqual(parse('order.line.*'), { kind: 'prefix', prefix: 'order.line' });
    assert.deepEqual(parse('*.created'), { kind: 'suffix', suffix: 'created' });
    assert.deepEqual(parse('*.line.added'), { kind: 'suffix', suffix: 'line.added' });
    assert.deepEqual(parse('*'), { kind: 'all' });
    assert.deepEqual(parse('order.*.failed'), { kind: 'glob', segments: ['order', '*', 'failed'] });
    assert.deepEqual(parse('*.*'), { kind: 'glob', segments: ['*', '*'] });
  });

  it('rejects partial-segment stars, bad segments, single names and non-strings, saying what a pattern is', () => {
    for (const bad of [
      'order*',
      'order.cre*',
      '**',
      'order.',
      '.created',
      'Order.created',
      'order',
      '',
      'a..b',
    ]) {
      const result = parseEventTypePattern(bad);
      assert.equal(result.ok, false, bad);
      if (!result.ok) assert.match(result.message, /"order\.\*"/);
    }
    assert.equal(parseEventTypePattern(42).ok, false);
    assert.equal(parseEventTypePattern(`a.${'b.'.repeat(20)}c`).ok, false);
  });
});

describe('matchesEventType', () => {
  it('lets * stand for one or more whole segments', () => {
    assert.equal(matches('order.created', 'order.created'), true);
    assert.equal(matches('order.created', 'order.updated'), false);
    assert.equal(matches('order.*', 'order.created'), true);
    assert.equal(matches('order.*', 'order.line.added'), true);
    assert.equal(matches('order.*', 'orders.created'), false);
    assert.equal(matches('order.*', 'customer.order'), false);
    assert.equal(matches('*.created', 'hvac.zone.created'), true);
    assert.equal(matches('*.created', 'order.created_at'), false);
    assert.equal(matches('*', 'anything.at_all'), true);
    assert.equal(matches('order.*.failed', 'order.payment.failed'), true);
    assert.equal(matches('order.*.failed', 'order.payment.retry.failed'), true);
    assert.equal(matches('order.*.failed', 'order.failed'), false);
    assert.equal(matches('*.line.*', 'order.line.added'), true);
    assert.equal(matches('*.line.*', 'line.added'), false);
    assert.equal(matches('*.*', 'order.created'), true);
  });
});
