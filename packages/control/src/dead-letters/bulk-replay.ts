import { type DeadLetterFilter, newId, SluiceError, type Stores } from '@sluice/core';
import { type DeadLetterWorkflows, replayError } from '../dead-letter-workflows.ts';
import { Pacer, type PacerClock, realPacerClock } from './pacer.ts';
import { checkReplayFilter, type ReplayFilter } from './replay-filter.ts';

/** A bulk replay as asked for: which pending dead letters, at most how many, how fast. */
export interface BulkReplayRequest {
  readonly filter: ReplayFilter | undefined;
  /** Most dead letters replayed; absent: every match. */
  readonly limit?: number;
  /** Replays per second; absent: `defaultRatePerSecond`. */
  readonly rate_per_second?: number;
}

/** One replayed dead letter: the envelopes an ingest one yielded, or the job a job one queued again. */
export type ReplayedItem =
  | { readonly id: string; readonly event_ids: ReadonlyArray<string> }
  | { readonly id: string; readonly job_id: string };

export interface FailedItem {
  readonly id: string;
  readonly error: { readonly code: string; readonly message: string };
}

/** A background bulk replay as `GET /api/v1/dead-letters/replays/{id}` shows it. */
export interface BulkReplayProgress {
  readonly id: string;
  readonly tenant_id: string;
  status: 'running' | 'succeeded' | 'failed';
  readonly total: number;
  done: number;
  failed: number;
  readonly rate_per_second: number;
  readonly started_at: string;
  finished_at: string | null;
  /** The first failures (at most 100), and the error that stopped the run, if one did. */
  readonly errors: FailedItem[];
  error: string | null;
}

export type BulkReplayStart =
  | {
      readonly mode: 'sync';
      readonly replayed: ReadonlyArray<ReplayedItem>;
      readonly failed: ReadonlyArray<FailedItem>;
    }
  | { readonly mode: 'background'; readonly replay: BulkReplayProgress };

export interface BulkReplayOptions {
  readonly stores: Stores;
  readonly deadLetters: DeadLetterWorkflows;
  readonly now: () => Date;
  readonly clock?: PacerClock;
  /**
   * Up to this many matches run within the request, if pacing lets them finish within `syncSeconds`;
   * more run in the background. Default 100.
   */
  readonly syncLimit?: number;
  /** Default 5 s: at the default rate of 10 per second, up to 50 answer within the request. */
  readonly syncSeconds?: number;
  /** Default 10 per second. */
  readonly defaultRatePerSecond?: number;
  /** Finished runs are forgotten after this long; default 1 h. */
  readonly keepFinishedMs?: number;
}

/** Stops at 100 failures listed; the counts go on. */
const LISTED_FAILURES = 100;

/**
 * Bulk replay of pending dead letters by a filter, paced: a dry run counts exactly what a run would take;
 * a small run answers within the request, a large one runs in the background with a progress record
 * (kept in this process's memory). Policies replay through `run` too.
 */
export class BulkReplays {
  readonly #options: BulkReplayOptions;
  readonly #runs = new Map<string, { progress: BulkReplayProgress; done: Promise<void> }>();
  #stopped = false;

  constructor(options: BulkReplayOptions) {
    this.#options = options;
  }

  /** How many dead letters a run of `request` would replay now (`dry_run`). */
  async count(tenantId: string, request: BulkReplayRequest): Promise<number> {
    const filter = checkReplayFilter(request.filter);
    const total = await this.#options.stores.deadLetters.count(tenantId, { ...filter, status: 'pending' });
    return request.limit === undefined ? total : Math.min(total, request.limit);
  }

  async start(tenantId: string, request: BulkReplayRequest): Promise<BulkReplayStart> {
    const filter = checkReplayFilter(request.filter);
    const rate = request.rate_per_second ?? this.#options.defaultRatePerSecond ?? 10;
    const total = await this.count(tenantId, request);
    const limit = request.limit ?? total;
    const pacedMs = (Math.max(total - 1, 0) / rate) * 1000;
    if (total <= (this.#options.syncLimit ?? 100) && pacedMs <= (this.#options.syncSeconds ?? 5) * 1000) {
      const replayed: ReplayedItem[] = [];
      const failed: FailedItem[] = [];
      await this.run(tenantId, { ...filter, status: 'pending' }, limit, rate, {
        replayed: (item) => replayed.push(item),
        failed: (item) => failed.push(item),
      });
      return { mode: 'sync', replayed, failed };
    }
    this.#forgetOld();
    const progress: BulkReplayProgress = {
      id: newId('replay'),
      tenant_id: tenantId,
      status: 'running',
      total,
      done: 0,
      failed: 0,
      rate_per_second: rate,
      started_at: this.#options.now().toISOString(),
      finished_at: null,
      errors: [],
      error: null,
    };
    const done = this.run(tenantId, { ...filter, status: 'pending' }, total, rate, {
      replayed: () => {
        progress.done++;
      },
      failed: (item) => {
        progress.failed++;
        if (progress.errors.length < LISTED_FAILURES) progress.errors.push(item);
      },
    }).then(
      () => this.#finish(progress, 'succeeded', null),
      (error: unknown) =>
        this.#finish(progress, 'failed', error instanceof Error ? error.message : String(error)),
    );
    this.#runs.set(progress.id, { progress, done });
    return { mode: 'background', replay: progress };
  }

  /** A background run of the tenant's; `replay_not_found` for another tenant's or a forgotten one. */
  get(tenantId: string, id: string): BulkReplayProgress {
    const run = this.#runs.get(id);
    if (run === undefined || run.progress.tenant_id !== tenantId) {
      throw new SluiceError('replay_not_found', `Bulk replay "${id}" does not exist (in this process).`);
    }
    return run.progress;
  }

  /**
   * Replays up to `limit` of the tenant's dead letters matching `filter`, oldest id first, at `rate` per
   * second; one failing replay does not stop the others, an outage (5xx) stops the run.
   */
  async run(
    tenantId: string,
    filter: DeadLetterFilter,
    limit: number,
    rate: number,
    report: { replayed(item: ReplayedItem): void; failed(item: FailedItem): void },
  ): Promise<number> {
    const pacer = new Pacer(rate, this.#options.clock ?? realPacerClock);
    let taken = 0;
    let after: string | undefined;
    while (taken < limit && !this.#stopped) {
      const page = await this.#options.stores.deadLetters.list(tenantId, filter, {
        limit: Math.min(100, limit - taken),
        ...(after === undefined ? {} : { after }),
      });
      for (const deadLetter of page.items) {
        if (taken >= limit || this.#stopped) break;
        taken++;
        await pacer.next();
        try {
          const outcome = await this.#options.deadLetters.replay(tenantId, deadLetter.id);
          if (outcome.kind === 'requeued') report.replayed({ id: deadLetter.id, job_id: outcome.job.id });
          else if (outcome.kind === 'replayed') {
            report.replayed({ id: deadLetter.id, event_ids: outcome.results.map((r) => r.event_id) });
          } else report.failed({ id: deadLetter.id, error: replayError(outcome.failure) });
        } catch (error) {
          // A dead letter whose connection, connector or job is gone fails alone; an outage fails the run.
          if (!(error instanceof SluiceError) || error.status >= 500) throw error;
          report.failed({ id: deadLetter.id, error: { code: error.code, message: error.message } });
        }
      }
      if (page.next === null) break;
      after = page.next;
    }
    return taken;
  }

  /** Stops background runs after the replay in hand and waits for them. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([...this.#runs.values()].map((run) => run.done));
  }

  #finish(progress: BulkReplayProgress, status: 'succeeded' | 'failed', error: string | null): void {
    progress.status = status;
    progress.error = error;
    progress.finished_at = this.#options.now().toISOString();
  }

  #forgetOld(): void {
    const cutoff = this.#options.now().getTime() - (this.#options.keepFinishedMs ?? 3_600_000);
    for (const [id, run] of this.#runs) {
      const finished = run.progress.finished_at;
      if (finished !== null && Date.parse(finished) < cutoff) this.#runs.delete(id);
    }
  }
}
