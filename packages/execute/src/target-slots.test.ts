import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busyDelayMs, TargetSlots } from './target-slots.ts';

describe('TargetSlots', () => {
  it('lets at most perTarget attempts in flight per origin, each origin on its own', () => {
    const slots = new TargetSlots(2);
    assert.equal(slots.tryAcquire('http://a'), true);
    assert.equal(slots.tryAcquire('http://a'), true);
    assert.equal(slots.tryAcquire('http://a'), false, 'the third to a is refused');
    assert.equal(slots.tryAcquire('http://b'), true, 'another origin is not held back');
    assert.equal(slots.inFlight('http://a'), 2);
    slots.release('http://a');
    assert.equal(slots.tryAcquire('http://a'), true, 'a released slot is free again');
    slots.release('http://a');
    slots.release('http://a');
    slots.release('http://a');
    assert.equal(slots.inFlight('http://a'), 0, 'never below zero');
  });

  it('refuses a cap that is not a positive integer', () => {
    assert.throws(() => new TargetSlots(0), RangeError);
    assert.throws(() => new TargetSlots(1.5), RangeError);
  });

  it('backs off a postponed job: doubling from 250 ms, jittered, capped at 30 s', () => {
    assert.equal(
      busyDelayMs(0, () => 0.5),
      250,
    );
    assert.equal(
      busyDelayMs(1, () => 0.5),
      500,
    );
    assert.equal(
      busyDelayMs(3, () => 0.5),
      2_000,
    );
    assert.equal(
      busyDelayMs(0, () => 0),
      125,
    );
    assert.equal(
      busyDelayMs(50, () => 0.5),
      30_000,
    );
    assert.ok(busyDelayMs(50, () => 0.999) < 45_000);
  });
});
