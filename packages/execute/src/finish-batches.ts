import type { JobFinish, JobQueue } from '@sluice/core';

interface Waiting {
  readonly finish: JobFinish;
  readonly resolve: (held: boolean) => void;
  readonly reject: (error: unknown) => void;
}

export interface FinishBatchesOptions {
  readonly queue: Pick<JobQueue, 'finish' | 'finishMany'>;
  /** The lease owner finishing. */
  readonly owner: string;
  /** Batches in flight at once; 2 by default. */
  readonly inFlight?: number;
  /** Most finishes in one batch; 100 by default. */
  readonly maxBatch?: number;
}

/**
 * An executor's finishes, committed in batches: a finish goes out at once while fewer than `inFlight`
 * batches are in flight, and otherwise waits for one to end and goes with every finish that waited with it,
 * in one transaction. Alone, a finish costs what it did; under load, a commit (and the lock on the tenant's
 * platform connection that its facts take until then) is shared by every attempt that ended meanwhile,
 * instead of each attempt waiting in line for its own. A batch that fails is tried again one finish at a
 * time, so one finish that cannot be written fails only itself.
 */
export class FinishBatches {
  readonly #options: FinishBatchesOptions;
  readonly #waiting: Waiting[] = [];
  #inFlight = 0;

  constructor(options: FinishBatchesOptions) {
    this.#options = options;
  }

  /** True when the owner still held the job and its finish committed; false when it no longer held it. */
  finish(finish: JobFinish): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#waiting.push({ finish, resolve, reject });
      this.#send();
    });
  }

  #send(): void {
    while (this.#inFlight < (this.#options.inFlight ?? 2) && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#options.maxBatch ?? 100);
      this.#inFlight++;
      void this.#commit(batch).finally(() => {
        this.#inFlight--;
        this.#send();
      });
    }
  }

  async #commit(batch: ReadonlyArray<Waiting>): Promise<void> {
    const { queue, owner } = this.#options;
    try {
      const held = await queue.finishMany(
        owner,
        batch.map((waiting) => waiting.finish),
      );
      batch.forEach((waiting, i) => {
        waiting.resolve(held[i] === true);
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const { finish, resolve, reject } of batch) {
        await queue.finish(owner, finish.job_id, finish.outcome, finish.facts).then(resolve, reject);
      }
    }
  }
}
