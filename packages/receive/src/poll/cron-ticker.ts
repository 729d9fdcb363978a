import { randomUUID } from 'node:crypto';
import type { CronSchedule, CronScheduleStore, CronTick } from '@sluice/core';
import { dueSlots } from './cron-slots.ts';

export interface CronTickerOptions {
  readonly store: Pick<CronScheduleStore, 'claimDue' | 'complete' | 'nextDueAt' | 'renewLeases'>;
  /** Ingests one `cron.tick` (origin `schedule`) on the schedule's tenant; a duplicate is fine. */
  readonly emit: (schedule: CronSchedule, tick: CronTick) => Promise<void>;
  readonly owner?: string;
  /**
   * How long a claim holds a schedule without a heartbeat; a round renews the leases of the schedules it
   * has not finished every third of this, so the slot of a ticker that died between claim and complete is
   * taken again once this passes. Default 10 s.
   */
  readonly leaseMs?: number;
  readonly batch?: number;
  readonly maxSleepMs?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

/** A cron schedule's lease without a heartbeat: a dead ticker's slot is taken again after this. */
export const DEFAULT_CRON_LEASE_MS = 10_000;

/**
 * Emits `cron.tick` on each slot of the tenants' cron schedules. Each schedule is claimed with a lease, so
 * any number of processes share them; the tick's dedupe key (`<schedule id>:<slot>`) makes a slot one
 * event even when two claims race. Slots missed while Sluice was down are emitted once: only the latest,
 * with the number missed before it. A claim's lease is short and renewed while the round runs: a ticker
 * killed mid-round holds its schedules for at most `leaseMs` after its last heartbeat.
 */
export class CronTicker {
  readonly #options: CronTickerOptions;
  readonly #owner: string;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: CronTickerOptions) {
    this.#options = options;
    this.#owner = options.owner ?? `cron-${randomUUID()}`;
  }

  start(): void {
    this.#stopped = false;
    this.#loop ??= this.#run().catch((error: unknown) => this.#options.onError?.(error));
  }

  /** Ends the sleep early (a schedule was created). */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    await this.#loop;
    this.#loop = undefined;
  }

  /** One round: emits what is due; the number of schedules handled. */
  async round(): Promise<number> {
    const { store, leaseMs = DEFAULT_CRON_LEASE_MS, batch = 100 } = this.#options;
    const now = this.#now();
    const claimed = await store.claimDue(this.#owner, now, batch, leaseMs);
    if (claimed.length === 0) return 0;
    const held = new Set(claimed.map((schedule) => schedule.id));
    const heartbeat = this.#heartbeat(held, leaseMs);
    try {
      for (const schedule of claimed) {
        // Its lease lapsed (the round stalled past it) and may be another's now: the other ticks it.
        if (!held.has(schedule.id)) continue;
        const slots = dueSlots(schedule.schedule, schedule.timezone, new Date(schedule.next_slot_at), now);
        if (slots.latest !== null) {
          await this.#options.emit(schedule, {
            schedule_id: schedule.id,
            name: schedule.name,
            schedule: schedule.schedule,
            timezone: schedule.timezone,
            slot: slots.latest.toISOString(),
            missed: slots.missed,
          });
        }
        await store.complete(this.#owner, schedule.id, slots.latest, slots.next);
        held.delete(schedule.id);
      }
    } finally {
      clearInterval(heartbeat);
    }
    return claimed.length;
  }

  /** Renews the leases in `held` every third of the lease; drops from it those no longer held. */
  #heartbeat(held: Set<string>, leaseMs: number): NodeJS.Timeout {
    let beating = false;
    const timer = setInterval(() => {
      if (beating || held.size === 0) return;
      beating = true;
      const ids = [...held];
      this.#options.store
        .renewLeases(this.#owner, ids, this.#now(), leaseMs)
        .then((still) => {
          const kept = new Set(still);
          for (const id of ids) if (!kept.has(id)) held.delete(id);
        })
        .catch((error: unknown) => this.#options.onError?.(error))
        .finally(() => {
          beating = false;
        });
    }, leaseMs / 3);
    timer.unref();
    return timer;
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }

  async #run(): Promise<void> {
    const { maxSleepMs = 5_000, batch = 100 } = this.#options;
    while (!this.#stopped) {
      let handled = 0;
      try {
        handled = await this.round();
      } catch (error) {
        this.#options.onError?.(error);
      }
      if (this.#stopped || handled >= batch) continue;
      const due = await this.#options.store.nextDueAt().catch(() => null);
      const wait = due === null ? maxSleepMs : due.getTime() - this.#now().getTime();
      const ms = Math.min(maxSleepMs, Math.max(10, wait));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#wake = done;
      });
    }
  }
}
