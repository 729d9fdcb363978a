import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs } from './backoff.ts';
import { WakeUp } from './wake-up.ts';

describe('WakeUp', () => {
  it('sleeps its time without a nudge', async () => {
    const started = Date.now();
    await new WakeUp().sleep(30);
    assert.ok(Date.now() - started >= 25);
  });

  it('ends a sleep early on a nudge, and keeps a nudge given while nobody sleeps', async () => {
    const wake = new WakeUp();
    const started = Date.now();
    const sleeping = wake.sleep(10_000);
    wake.nudge();
    await sleeping;
    assert.ok(Date.now() - started < 1_000);
    wake.nudge();
    const again = Date.now();
    await wake.sleep(10_000);
    assert.ok(Date.now() - again < 1_000, 'the kept nudge ends the next sleep at once');
    wake.nudge();
    wake.reset();
    const reset = Date.now();
    await wake.sleep(30);
    assert.ok(Date.now() - reset >= 25, 'a reset forgets it');
  });
});

describe('backoffMs', () => {
  it('grows from the minimum to the maximum, jittered below the ceiling', () => {
    const bounds = { minMs: 100, maxMs: 1_000 };
    assert.equal(
      backoffMs(1, bounds, () => 1),
      100,
    );
    assert.equal(
      backoffMs(2, bounds, () => 1),
      200,
    );
    assert.equal(
      backoffMs(10, bounds, () => 1),
      1_000,
    );
    assert.equal(
      backoffMs(10, bounds, () => 0),
      50,
    );
  });
});
