import type { AppendInput, AppendResult } from '@sluice/core';
import type { GroupItemResult } from './append-group.ts';

export interface GroupCommitOptions {
  /** Groups committing at once. More overlap round trips; each holds a database connection. */
  readonly maxInFlight?: number;
  /** The most inputs, and envelopes, one group takes. */
  readonly maxInputs?: number;
  readonly maxEnvelopes?: number;
  /** Told the size of each group as it commits (metrics, tests). */
  readonly onGroup?: (inputs: number, envelopes: number) => void;
}

interface Pending {
  readonly input: AppendInput;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit: appends that arrive while a commit is under way wait for the next one and share it.
 * Nothing waits on a timer. A group starts in the event loop's check phase (`setImmediate`), once the I/O
 * callbacks already due have run: every request read in this turn joins it, and a lone append still commits
 * in the turn it arrived. Starting at once instead would let an engine whose queries finish without giving
 * the event loop back (PGlite runs in this thread) commit each request alone, before the next socket is
 * even read. Under load a commit carries everything that queued behind it. Each caller still gets its own
 * result, and only after the commit that holds it.
 */
export class GroupCommit {
  readonly #commit: (inputs: ReadonlyArray<AppendInput>) => Promise<GroupItemResult[]>;
  readonly #maxInFlight: number;
  readonly #maxInputs: number;
  readonly #maxEnvelopes: number;
  readonly #onGroup: ((inputs: number, envelopes: number) => void) | undefined;
  readonly #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(
    commit: (inputs: ReadonlyArray<AppendInput>) => Promise<GroupItemResult[]>,
    options: GroupCommitOptions = {},
  ) {
    this.#commit = commit;
    this.#maxInFlight = options.maxInFlight ?? 2;
    this.#maxInputs = options.maxInputs ?? 256;
    this.#maxEnvelopes = options.maxEnvelopes ?? 5_000;
    this.#onGroup = options.onGroup;
  }

  submit(input: AppendInput): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  /** Drains in the check phase of this turn of the event loop (once), after the I/O callbacks due now. */
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#inFlight < this.#maxInFlight && this.#queue.length > 0) {
      const group = this.#take();
      this.#inFlight++;
      this.#run(group).finally(() => {
        this.#inFlight--;
        this.#schedule();
      });
    }
  }

  #take(): Pending[] {
    const group: Pending[] = [];
    let envelopes = 0;
    while (this.#queue.length > 0 && group.length < this.#maxInputs) {
      const next = this.#queue[0] as Pending;
      if (group.length > 0 && envelopes + next.input.envelopes.length > this.#maxEnvelopes) break;
      envelopes += next.input.envelopes.length;
      group.push(this.#queue.shift() as Pending);
    }
    return group;
  }

  async #run(group: Pending[]): Promise<void> {
    this.#onGroup?.(
      group.length,
      group.reduce((sum, pending) => sum + pending.input.envelopes.length, 0),
    );
    try {
      const results = await this.#commit(group.map((pending) => pending.input));
      group.forEach((pending, index) => {
        const item = results[index];
        if (item === undefined) pending.reject(new Error('group commit lost a result'));
        else if (item.ok) pending.resolve(item.result);
        else pending.reject(item.error);
      });
    } catch (error) {
      for (const pending of group) pending.reject(error);
    }
  }
}
