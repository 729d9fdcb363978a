import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { AppendInput, ClaimedJob, JobQueue, PlatformEventInput } from '@sluice/core';
import type { ActionRunner, AnyActionRunner } from './action-runner.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { FinishBatches } from './finish-batches.ts';
import { endJobSpan, startJobSpan } from './job-span.ts';
import { type JobRun, runJob } from './run-job.ts';
import { TargetSlots } from './target-slots.ts';

/** What the executor reports of each finished attempt (metrics). */
export interface AttemptReport {
  readonly claimed: ClaimedJob;
  /** `succeeded`, `planned` (a dry run), `retry`, `dead_lettered`, `skipped`, `disabled`, `postponed`, `remembered` or `lost`. */
  readonly outcome: string;
  /** The action's own time; null when it did not run. */
  readonly latency_ms: number | null;
}

export interface ExecutorOptions {
  readonly queue: JobQueue;
  /** One runner per action type it runs (`http`, `handler`, `connector`). */
  readonly runners: ReadonlyArray<AnyActionRunner>;
  /** This process's lease owner id; unique per process and start. */
  readonly owner: string;
  /**
   * Most actions running at once in this process; default 32. A job whose action ended and whose finish
   * waits for its commit holds no slot, so the next claim need not wait for that commit (such jobs are at
   * most three times as many).
   */
  readonly concurrency?: number;
  /** Most running jobs one tenant may have across all executors; absent: no cap. */
  readonly tenantConcurrency?: number;
  /**
   * Most attempts in flight to one http endpoint (origin) in this process; absent: no cap. A slow target
   * then holds at most these slots; its other jobs are postponed (uncounted) until one is free.
   */
  readonly targetConcurrency?: number;
  /** How long a claim holds without a heartbeat; default 30 s. Heartbeats run every third of it. */
  readonly leaseMs?: number;
  /** The wait after a claim that found less than it could take; default 50 ms. */
  readonly idleMs?: number;
  /** How long a remembered result answers for its idempotency key; default 24 h. */
  readonly resultTtlMs?: number;
  /** How long `stop` lets running jobs finish before it aborts them; default 5 s. */
  readonly stopGraceMs?: number;
  readonly breaker?: CircuitBreaker;
  /** Prepares a platform event to commit with a job's finish (`PlatformEvents.fact`). */
  readonly fact: (tenantId: string, event: PlatformEventInput) => Promise<AppendInput>;
  /** Disables a trigger whose http target answered 410 (and tells the routers). */
  readonly disableTrigger: (tenantId: string, triggerId: string) => Promise<void>;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly onAttempt?: (report: AttemptReport) => void;
  readonly onError?: (error: unknown) => void;
}

interface Running {
  readonly claimed: ClaimedJob;
  readonly abort: AbortController;
  done: Promise<void>;
}

/**
 * Jobs a process holds per slot, counting those whose action ended and whose finish waits for its commit
 * (they hold no slot). Finishes go in batches, so the more of them wait, the fewer statements a job costs.
 */
const FINISHING_SLOTS = 4;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * The job worker of one process: claims runnable jobs up to its free slots (again at once after a full
 * claim, after `idleMs` otherwise, or when nudged or a job ends), runs each under its trigger's policy,
 * and finishes it with its receipts (attempts that end together share one transaction). Heartbeats
 * extend the leases it holds; a job whose lease it lost is aborted (another executor has it). Any number
 * of executors share one queue; the database decides who runs what.
 */
export class Executor {
  readonly #options: ExecutorOptions;
  readonly #runners: ReadonlyMap<string, ActionRunner>;
  readonly #breaker: CircuitBreaker;
  readonly #targetSlots: TargetSlots | undefined;
  readonly #running = new Map<string, Running>();
  /** Running jobs whose action has not ended yet: the ones that hold a slot. */
  #acting = 0;
  readonly #concurrency: number;
  readonly #leaseMs: number;
  readonly #now: () => number;
  readonly #finishes: FinishBatches;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #reclaim: NodeJS.Timeout | undefined;

  constructor(options: ExecutorOptions) {
    this.#options = options;
    this.#runners = new Map(options.runners.map((runner) => [runner.type, runner as ActionRunner]));
    this.#breaker = options.breaker ?? new CircuitBreaker();
    this.#concurrency = options.concurrency ?? 32;
    this.#targetSlots =
      options.targetConcurrency === undefined ? undefined : new TargetSlots(options.targetConcurrency);
    this.#leaseMs = options.leaseMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#finishes = new FinishBatches({ queue: options.queue, owner: options.owner });
  }

  /** Jobs running in this process now. */
  get runningCount(): number {
    return this.#running.size;
  }

  start(): void {
    if (this.#loop !== undefined) return;
    this.#stopping = false;
    this.#loop = this.#claimLoop();
    const beat = Math.max(10, Math.floor(this.#leaseMs / 3));
    this.#heartbeat = setInterval(() => void this.#beat(), beat);
    this.#heartbeat.unref();
    this.#reclaim = setInterval(() => {
      this.#options.queue.reclaimExpired().catch((error: unknown) => this.#options.onError?.(error));
    }, beat);
    this.#reclaim.unref();
  }

  /** Jobs were created in this process: claim now rather than after the idle wait. */
  nudge(): void {
    this.#wake?.();
  }

  /**
   * Stops claiming, lets running jobs finish for up to `stopGraceMs`, then aborts the rest: they end as
   * retries, or, if the process dies first, their leases lapse and another executor claims them.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    const pending = [...this.#running.values()].map((running) => running.done);
    const grace = sleep(this.#options.stopGraceMs ?? 5_000).then(() => 'late' as const);
    if ((await Promise.race([Promise.all(pending), grace])) === 'late') {
      for (const running of this.#running.values()) running.abort.abort();
      await Promise.all(pending);
    }
    clearInterval(this.#heartbeat);
    clearInterval(this.#reclaim);
  }

  async #claimLoop(): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const free = Math.min(
        this.#concurrency - this.#acting,
        FINISHING_SLOTS * this.#concurrency - this.#running.size,
      );
      if (free <= 0) {
        await this.#idle(this.#options.idleMs ?? 50);
        continue;
      }
      let claimed: ReadonlyArray<ClaimedJob>;
      try {
        claimed = await this.#options.queue.claim({
          owner: this.#options.owner,
          limit: free,
          leaseMs: this.#leaseMs,
          ...(this.#options.tenantConcurrency === undefined
            ? {}
            : { tenantConcurrency: this.#options.tenantConcurrency }),
        });
        failures = 0;
      } catch (error) {
        this.#options.onError?.(error);
        failures++;
        // At most a second apart, so the end of a storage outage is noticed within one.
        await this.#idle(Math.min(1_000, 100 * 2 ** Math.min(failures, 6)));
        continue;
      }
      for (const job of claimed) this.#start(job);
      if (claimed.length < free) await this.#idle(this.#options.idleMs ?? 50);
    }
  }

  /** Waits `ms`, or less when nudged or a job ends. */
  #idle(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  #start(claimed: ClaimedJob): void {
    const running: Running = { claimed, abort: new AbortController(), done: Promise.resolve() };
    this.#running.set(claimed.job.id, running);
    this.#acting++;
    running.done = this.#execute(running)
      .catch((error: unknown) => this.#options.onError?.(error))
      .finally(() => {
        this.#running.delete(claimed.job.id);
        // A finished job may release its entity's next one, and frees a slot: look again now.
        this.#wake?.();
      });
  }

  async #execute(running: Running): Promise<void> {
    const { claimed } = running;
    const span = startJobSpan(claimed);
    let run: JobRun;
    let held: boolean;
    try {
      try {
        // The action's own spans (an http delivery) are children of the job's.
        run = await context.with(trace.setSpan(context.active(), span), () =>
          runJob(
            {
              queue: this.#options.queue,
              runners: this.#runners,
              breaker: this.#breaker,
              ...(this.#targetSlots === undefined ? {} : { targetSlots: this.#targetSlots }),
              now: this.#now,
              random: this.#options.random ?? Math.random,
              resultTtlMs: this.#options.resultTtlMs ?? 24 * 3_600_000,
            },
            claimed,
            running.abort.signal,
          ),
        );
      } finally {
        // The action is over: its slot is free while the finish waits for its commit.
        this.#acting--;
        this.#wake?.();
      }
      const facts = await Promise.all(
        run.receipts.map((event) => this.#options.fact(claimed.job.tenant_id, event)),
      );
      held = await this.#finishes.finish({ job_id: claimed.job.id, outcome: run.outcome, facts });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.end();
      throw error;
    }
    endJobSpan(span, held ? run.label : 'lost');
    this.#options.onAttempt?.({ claimed, outcome: held ? run.label : 'lost', latency_ms: run.latency_ms });
    if (held && run.disable && claimed.trigger !== null) {
      await this.#options.disableTrigger(claimed.job.tenant_id, claimed.trigger.id);
    }
  }

  async #beat(): Promise<void> {
    const ids = [...this.#running.keys()];
    if (ids.length === 0) return;
    try {
      const held = new Set(await this.#options.queue.heartbeat(this.#options.owner, ids, this.#leaseMs));
      for (const id of ids) {
        // Lost: the lease lapsed and the job went back to the queue; another executor runs it.
        if (!held.has(id)) this.#running.get(id)?.abort.abort();
      }
    } catch (error) {
      this.#options.onError?.(error);
    }
  }
}
