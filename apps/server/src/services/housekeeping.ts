import type { Stores, SweepResult } from '@sluice/core';

export interface HousekeepingOptions {
  readonly store: Stores;
  /** Between passes, in ms; 0 turns the timer off (`runOnce` still works). */
  readonly intervalMs: number;
  /** Pending dead letters older than this are marked expired. */
  readonly deadLetterRetentionMs: number;
  /**
   * Between checks of the planner statistics (`StoreMaintenance.refreshStatistics`), in ms; 0 turns them
   * off. Short, because a table that fills from empty is misplanned until its first analyze.
   */
  readonly statisticsIntervalMs?: number;
  /** Told the tables a check analyzed (none: not called). */
  readonly onAnalyzed?: (tables: ReadonlyArray<string>) => void;
  /** Told the tables a check vacuumed, where autovacuum does not run (none: not called). */
  readonly onVacuumed?: (tables: ReadonlyArray<string>) => void;
  /** Rows per statement, so one pass never holds locks long. */
  readonly batch?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

/**
 * Deletes dedupe and replay keys whose window has passed (they only guard against repeats; the envelopes
 * stay) and expires old pending dead letters, every `intervalMs`; keeps the planner's statistics current
 * every `statisticsIntervalMs`, and, where autovacuum does not run, vacuums in the same check
 * (`StoreMaintenance.vacuumDead`). Several processes may run it at once.
 */
export class Housekeeping {
  readonly #options: HousekeepingOptions;
  #timer: NodeJS.Timeout | undefined;
  #statisticsTimer: NodeJS.Timeout | undefined;
  #running: Promise<SweepResult> | undefined;
  #analyzing: Promise<ReadonlyArray<string>> | undefined;

  constructor(options: HousekeepingOptions) {
    this.#options = options;
  }

  start(): void {
    const statisticsMs = this.#options.statisticsIntervalMs ?? 0;
    if (statisticsMs > 0 && this.#statisticsTimer === undefined) {
      this.#statisticsTimer = setInterval(() => {
        this.refreshStatistics().catch((error: unknown) => this.#options.onError?.(error));
      }, statisticsMs);
      this.#statisticsTimer.unref();
    }
    if (this.#options.intervalMs <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(() => {
      this.runOnce().catch((error: unknown) => this.#options.onError?.(error));
    }, this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Stops the timers and waits for a pass under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#statisticsTimer);
    this.#timer = undefined;
    this.#statisticsTimer = undefined;
    await Promise.all([this.#running?.catch(() => undefined), this.#analyzing?.catch(() => undefined)]);
  }

  /** One statistics check (one at a time), then a vacuum where one is due: the tables it analyzed. */
  refreshStatistics(): Promise<ReadonlyArray<string>> {
    this.#analyzing ??= this.#options.store.maintenance
      .refreshStatistics()
      .then(async (tables) => {
        if (tables.length > 0) this.#options.onAnalyzed?.(tables);
        const vacuumed = await this.#options.store.maintenance.vacuumDead();
        if (vacuumed.length > 0) this.#options.onVacuumed?.(vacuumed);
        return tables;
      })
      .finally(() => {
        this.#analyzing = undefined;
      });
    return this.#analyzing;
  }

  /** One full pass: sweeps in batches until a batch comes back short. */
  runOnce(): Promise<SweepResult> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #pass(): Promise<SweepResult> {
    const batch = this.#options.batch ?? 5_000;
    const total = {
      dedupe_keys: 0,
      webhook_replays: 0,
      dead_letters_expired: 0,
      job_results: 0,
      record_hashes: 0,
      outbox_relayed: 0,
    };
    for (;;) {
      const now = (this.#options.now ?? (() => new Date()))();
      const before = new Date(now.getTime() - this.#options.deadLetterRetentionMs);
      const swept = await this.#options.store.maintenance.sweepExpired(now, before, batch);
      total.dedupe_keys += swept.dedupe_keys;
      total.webhook_replays += swept.webhook_replays;
      total.dead_letters_expired += swept.dead_letters_expired;
      total.job_results += swept.job_results;
      total.record_hashes += swept.record_hashes;
      total.outbox_relayed += swept.outbox_relayed;
      const most = Math.max(
        swept.dedupe_keys,
        swept.webhook_replays,
        swept.dead_letters_expired,
        swept.job_results,
        swept.record_hashes,
        swept.outbox_relayed,
      );
      if (most < batch) return total;
    }
  }
}
