import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Pacer, type PacerClock } from './pacer.ts';

/** A clock that moves only when slept on, or by `work`. */
function fakeClock(): PacerClock & { at: number; sleeps: number[] } {
  const clock = {
    at: 0,
    sleeps: [] as number[],
    now: () => clock.at,
    async sleep(ms: number) {
      clock.sleeps.push(ms);
      clock.at += ms;
    },
  };
  return clock;
}

describe('pacer', () => {
  it('spaces items at the rate: the n-th starts (n − 1) / rate seconds after the first', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(4, clock);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.next();
      starts.push(clock.at);
    }
    assert.deepEqual(starts, [0, 250, 500, 750, 1000]);
  });

  it('gives a slow item no burst afterwards', async () => {
    const clock = fakeClock();
    const pacer = new Pacer(10, clock);
    await pacer.next();
    clock.at += 1000; // the first replay took a second
    await pacer.next();
    assert.equal(clock.at, 1000, 'no wait after a slow one');
    await pacer.next();
    assert.equal(clock.at, 1100, 'then the rate again, not ten at once');
  });

  it('refuses a rate of 0', () => {
    assert.throws(() => new Pacer(0), RangeError);
  });
});
