import { randomUUID } from 'node:crypto';
import type { CronSchedule, CronScheduleStore, CronTick } from '@sluice/core';
import { dueSlots } from './cron-slots.ts';

export interface CronTickerOptions {
  readonly store: Pick<CronScheduleStore, 'claimDue' | 'complete' | 'nextDueAt'>;
  /** Ingests one `cron.tick` (origin `schedule`) on the schedule's tenant; a duplicate is fine. */
  readonly emit: (schedule: CronSchedule, tick: CronTick) => Promise<void>;
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly batch?: number;
  readonly maxSleepMs?: number;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
}

/**
 * Emits `cron.tick` on each slot of the tenants' cron schedules. Each schedule is claimed with a lease, so
 * any number of processes share them; the tick's dedupe key (`<schedule id>:<slot>`) makes a slot one
 * event even when two claims race. Slots missed while Sluice was down are emitted once: only the latest,
 * with the number missed before it.
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
    const { store, leaseMs = 60_000, batch = 100 } = this.#options;
    const now = this.#now();
    const claimed = await store.claimDue(this.#owner, now, batch, leaseMs);
    for (const schedule of claimed) {
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
    }
    return claimed.length;
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
