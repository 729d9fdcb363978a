import { randomUUID } from 'node:crypto';
import type {
  ScheduleStore,
  StreamRef,
  StreamRunCompletion,
  StreamSchedule,
  StreamStatus,
} from '@sluice/core';
import { nextRun, type RunFinding } from './next-run.ts';
import { changesOf, type PollPassResult, type StreamRunner } from './stream-runner.ts';

/** A stream whose status a run changed. */
export interface StreamStatusChange {
  readonly stream: StreamSchedule;
  readonly previous: StreamStatus;
}

export interface SchedulerOptions {
  readonly store: Pick<ScheduleStore, 'claimDue' | 'complete' | 'nextDueAt' | 'renewLease'>;
  readonly runner: StreamRunner;
  /** This process's lease name; random by default. */
  readonly owner?: string;
  /** Streams run at once by this process; default 16. */
  readonly concurrency?: number;
  /**
   * How long a claim holds a stream without a heartbeat; a run renews it every third of this while it is
   * under way, so a run may take longer, and the stream of a scheduler that died is taken again once this
   * passes. Default 10 s.
   */
  readonly leaseMs?: number;
  /** The longest sleep between checks (a stream added elsewhere is seen within it); default 5 s. */
  readonly maxSleepMs?: number;
  readonly now?: () => Date;
  /**
   * Prepares the platform events that report a change of status; they commit with the run's record.
   * Returns opaque append inputs (`AppendInput`).
   */
  readonly statusFacts?: (change: StreamStatusChange) => Promise<Parameters<ScheduleStore['complete']>[3]>;
  /** After each run: how late it started (ms after its due time) and what it did. */
  readonly onRun?: (info: { stream: StreamSchedule; lateMs: number; result: PollPassResult }) => void;
  readonly onError?: (error: unknown) => void;
}

/** A stream's lease without a heartbeat: a dead scheduler's stream is taken again after this. */
export const DEFAULT_LEASE_MS = 10_000;

const STATUS_OF: Record<PollPassResult['status'], StreamRunCompletion['status'] | null> = {
  completed: 'ok',
  rate_limited: 'rate_limited',
  failed: 'failing',
  aborted: null,
};

/**
 * Runs poll streams when they are due. It sleeps until the earliest `next_run_at` (at most `maxSleepMs`,
 * or until `wake`), claims due streams with a lease, runs each through the poll pass with bounded
 * concurrency, and records the next run: cron, adaptive interval, business hours and rate limits
 * (`nextRun`). Any number of schedulers share the store; a stream never runs twice at once: a run renews
 * its lease every third of `leaseMs`, and a run whose renewal finds the lease gone (it lapsed, say while
 * the database was out of reach, and another scheduler took the stream) is aborted after its last
 * committed page.
 */
export class Scheduler {
  readonly #options: SchedulerOptions;
  readonly #owner: string;
  readonly #active = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
    this.#owner = options.owner ?? `scheduler-${randomUUID()}`;
  }

  get owner(): string {
    return this.#owner;
  }

  start(): void {
    this.#stopped = false;
    this.#loop ??= this.#run().catch((error: unknown) => this.#options.onError?.(error));
  }

  /** Ends the sleep early (a stream was made due by `run now` or created); remembered if not asleep. */
  wake(): void {
    if (this.#wake === undefined) this.#woken = true;
    else this.#wake();
  }

  /** Stops claiming, aborts runs under way (their leases are released as they were) and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    this.wake();
    await this.#loop;
    await Promise.allSettled([...this.#active]);
    this.#loop = undefined;
  }

  /** One round: claims what is due and free slots allow, starts each run; the number started. */
  async claimRound(): Promise<number> {
    const { store, concurrency = 16, leaseMs = DEFAULT_LEASE_MS } = this.#options;
    const free = concurrency - this.#active.size;
    if (free <= 0) return 0;
    const claimed = await store.claimDue(this.#owner, this.#now(), free, leaseMs);
    for (const stream of claimed) {
      const running: Promise<void> = this.#runOne(stream)
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          this.#active.delete(running);
          this.wake();
        });
      this.#active.add(running);
    }
    return claimed.length;
  }

  /** Waits for every run started so far (tests, the bench). */
  async drain(): Promise<void> {
    while (this.#active.size > 0) await Promise.allSettled([...this.#active]);
  }

  async #run(): Promise<void> {
    const { concurrency = 16, maxSleepMs = 5_000 } = this.#options;
    while (!this.#stopped) {
      let started = 0;
      try {
        started = await this.claimRound();
      } catch (error) {
        this.#options.onError?.(error);
      }
      if (this.#stopped) return;
      if (this.#active.size >= concurrency) {
        await this.#sleep(maxSleepMs);
      } else if (started === 0) {
        const due = await this.#options.store.nextDueAt().catch(() => null);
        const wait = due === null ? maxSleepMs : due.getTime() - this.#now().getTime();
        await this.#sleep(Math.min(maxSleepMs, Math.max(0, wait)));
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    // A wake that came while awake (a run finished between the claim and this sleep) is not lost.
    if (ms <= 0 || this.#woken) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }

  async #runOne(stream: StreamSchedule): Promise<void> {
    const startedAt = this.#now();
    const lateMs = Math.max(0, startedAt.getTime() - Date.parse(stream.next_run_at));
    const ref = { tenant_id: stream.tenant_id, connection_id: stream.connection_id, stream: stream.stream };
    const lost = new AbortController();
    const heartbeat = this.#heartbeat(ref, lost);
    const result = await this.#options.runner
      .run(
        stream,
        { from: null, to: startedAt.toISOString() },
        AbortSignal.any([this.#abort.signal, lost.signal]),
      )
      .finally(() => clearInterval(heartbeat))
      .catch(
        (error: unknown): PollPassResult => ({
          status: 'failed',
          pages: 0,
          records: 0,
          emitted: 0,
          duplicates: 0,
          changes: { created: 0, updated: 0, deleted: 0 },
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    this.#options.onRun?.({ stream, lateMs, result });
    const ranAt = this.#now();
    const completion = completionOf(stream, result, ranAt);
    const changed = completion.status !== stream.status && !stream.paused;
    const facts =
      changed && this.#options.statusFacts !== undefined
        ? await this.#options.statusFacts({
            stream: { ...stream, ...asRow(completion) },
            previous: stream.status,
          })
        : undefined;
    await this.#options.store.complete(this.#owner, ref, completion, facts);
  }

  /** Renews the run's lease every third of it; aborts the run through `lost` once another holds it. */
  #heartbeat(ref: StreamRef, lost: AbortController): NodeJS.Timeout {
    const { store, leaseMs = DEFAULT_LEASE_MS } = this.#options;
    let beating = false;
    const timer = setInterval(() => {
      // One renewal at a time: a slow database delays the next, never stacks them.
      if (beating) return;
      beating = true;
      store
        .renewLease(this.#owner, ref, this.#now(), leaseMs)
        .then((held) => {
          if (!held) lost.abort();
        })
        // Unreachable store: the next beat tries again; if the lease lapses meanwhile, it answers false.
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          beating = false;
        });
    }, leaseMs / 3);
    timer.unref();
    return timer;
  }
}

/** A run's record: its status, next run and counts. */
export function completionOf(
  stream: StreamSchedule,
  result: PollPassResult,
  ranAt: Date,
): StreamRunCompletion {
  const status = STATUS_OF[result.status];
  if (status === null) {
    // Aborted (the scheduler stopped): released as it was, due again at once for the next owner.
    return {
      status: stream.status === 'paused' ? 'ok' : stream.status,
      next_run_at: new Date(stream.next_run_at),
      interval_ms: stream.interval_ms,
      interval_reason: stream.interval_reason,
      ran_at: ranAt,
      succeeded: false,
      error: null,
      rate_limited_until: stream.rate_limited_until === null ? null : new Date(stream.rate_limited_until),
      records: result.records,
      envelopes: result.emitted,
      history: stream.history,
    };
  }
  const until = result.rateLimitedUntil === undefined ? null : new Date(result.rateLimitedUntil);
  const finding: RunFinding = {
    kind:
      result.status === 'rate_limited'
        ? 'rate_limited'
        : result.status === 'failed'
          ? 'failed'
          : changesOf(result) > 0
            ? 'changed'
            : 'empty',
    changes: changesOf(result),
    rateLimitedUntil: until,
  };
  const next = nextRun(stream, finding, ranAt);
  return {
    status,
    next_run_at: next.next_run_at,
    interval_ms: next.interval_ms,
    interval_reason: next.reason,
    ran_at: ranAt,
    succeeded: result.status === 'completed',
    error:
      result.status === 'completed'
        ? null
        : (result.error ??
          (until === null ? `poll pass ${result.status}` : `rate limited until ${until.toISOString()}`)),
    rate_limited_until: result.status === 'rate_limited' ? next.next_run_at : null,
    records: result.records,
    envelopes: result.emitted,
    history: next.history,
  };
}

const asRow = (c: StreamRunCompletion): Partial<StreamSchedule> => ({
  status: c.status,
  next_run_at: c.next_run_at.toISOString(),
  interval_ms: c.interval_ms,
  interval_reason: c.interval_reason,
  last_error: c.error,
  rate_limited_until: c.rate_limited_until?.toISOString() ?? null,
});
