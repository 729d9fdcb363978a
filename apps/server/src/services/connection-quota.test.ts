import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionQuota } from './connection-quota.ts';

function clock(start = 1_000_000) {
  let ms = start;
  return {
    now: () => ms,
    advance(by: number) {
      ms += by;
    },
  };
}

describe('ConnectionQuota', () => {
  it('allows a full burst, then asks to wait', () => {
    const time = clock();
    const quota = new ConnectionQuota({ rate: 2, burst: 3, now: time.now });
    assert.deepEqual([quota.take('c'), quota.take('c'), quota.take('c')], [0, 0, 0]);
    assert.equal(quota.take('c'), 1);
  });

  it('refills at the rate as the clock advances, up to the burst', () => {
    const time = clock();
    const quota = new ConnectionQuota({ rate: 2, burst: 3, now: time.now });
    for (let i = 0; i < 3; i++) assert.equal(quota.take('c'), 0);
    time.advance(499);
    assert.equal(quota.take('c'), 1, 'not quite one token after 499 ms at 2/s');
    time.advance(1);
    assert.equal(quota.take('c'), 0, 'one token after 500 ms');
    assert.ok(quota.take('c') > 0);
    time.advance(60_000);
    assert.deepEqual([quota.take('c'), quota.take('c'), quota.take('c')], [0, 0, 0], 'capped at the burst');
    assert.ok(quota.take('c') > 0);
  });

  it('says how many whole seconds to wait at a slow rate', () => {
    const time = clock();
    const quota = new ConnectionQuota({ rate: 0.1, burst: 1, now: time.now });
    assert.equal(quota.take('c'), 0);
    assert.equal(quota.take('c'), 10);
    time.advance(4_000);
    assert.equal(quota.take('c'), 6);
  });

  it('keeps one bucket per connection', () => {
    const time = clock();
    const quota = new ConnectionQuota({ rate: 1, burst: 1, now: time.now });
    assert.equal(quota.take('a'), 0);
    assert.ok(quota.take('a') > 0);
    assert.equal(quota.take('b'), 0);
  });
});
