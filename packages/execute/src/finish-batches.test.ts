import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobFinish, JobOutcome } from '@sluice/core';
import { FinishBatches } from './finish-batches.ts';

const skipped: JobOutcome = { kind: 'skipped', reason: 'test' };
const finishOf = (id: string): JobFinish => ({ job_id: id, outcome: skipped });

/** A queue whose `finishMany` calls wait until released, recording each batch's ids. */
function gatedQueue(options: { failBatchesWith?: string; notHeld?: string } = {}) {
  const batches: string[][] = [];
  const singles: string[] = [];
  const gates: Array<() => void> = [];
  return {
    batches,
    singles,
    release: () => gates.shift()?.(),
    queue: {
      async finishMany(_owner: string, finishes: ReadonlyArray<JobFinish>) {
        batches.push(finishes.map((f) => f.job_id));
        await new Promise<void>((resolve) => gates.push(resolve));
        if (options.failBatchesWith !== undefined && finishes.length > 1) throw new Error('batch refused');
        return finishes.map((f) => f.job_id !== options.notHeld);
      },
      async finish(_owner: string, jobId: string) {
        singles.push(jobId);
        if (jobId === options.failBatchesWith) throw new Error(`${jobId} cannot be written`);
        return true;
      },
    },
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('finish batches', () => {
  it('sends at once while a batch is free, and gathers what ends meanwhile into the next', async () => {
    const gated = gatedQueue({ notHeld: 'c' });
    const batches = new FinishBatches({ queue: gated.queue, owner: 'exec', inFlight: 1 });
    const first = batches.finish(finishOf('a'));
    await tick();
    const later = ['b', 'c', 'd'].map((id) => batches.finish(finishOf(id)));
    await tick();
    assert.deepEqual(gated.batches, [['a']], 'one batch in flight; the others wait');
    gated.release();
    assert.equal(await first, true);
    await tick();
    assert.deepEqual(gated.batches, [['a'], ['b', 'c', 'd']]);
    gated.release();
    assert.deepEqual(await Promise.all(later), [true, false, true], 'each its own flag');
  });

  it('keeps each batch within its size', async () => {
    const gated = gatedQueue();
    const batches = new FinishBatches({ queue: gated.queue, owner: 'exec', inFlight: 1, maxBatch: 2 });
    const all = ['a', 'b', 'c', 'd', 'e'].map((id) => batches.finish(finishOf(id)));
    for (let i = 0; i < 3; i++) {
      await tick();
      gated.release();
    }
    await Promise.all(all);
    assert.deepEqual(gated.batches, [['a'], ['b', 'c'], ['d', 'e']]);
  });

  it('tries a failed batch one finish at a time, so only the finish that cannot be written fails', async () => {
    const gated = gatedQueue({ failBatchesWith: 'c' });
    const batches = new FinishBatches({ queue: gated.queue, owner: 'exec', inFlight: 1 });
    const first = batches.finish(finishOf('a'));
    await tick();
    const later = ['b', 'c', 'd'].map((id) => batches.finish(finishOf(id)));
    gated.release();
    await first;
    await tick();
    gated.release();
    const settled = await Promise.allSettled(later);
    assert.deepEqual(
      settled.map((s) => s.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(gated.singles, ['b', 'c', 'd']);
  });
});
