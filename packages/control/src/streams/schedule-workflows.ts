import { type CronSchedule, SluiceError, type Stores } from '@sluice/core';
import { cronOf, cronProblem } from '@sluice/receive';

export interface ScheduleWorkflowDeps {
  readonly stores: Pick<Stores, 'cronSchedules' | 'tenancy'>;
  readonly now: () => Date;
  /** Told when a schedule was created or moved (the local cron ticker wakes up). */
  readonly onCreated?: () => void;
}

/** A tenant's cron schedules, each ticking `cron.tick` on its slots. */
export class ScheduleWorkflows {
  readonly #deps: ScheduleWorkflowDeps;

  constructor(deps: ScheduleWorkflowDeps) {
    this.#deps = deps;
  }

  /** A new schedule in `timezone` (the tenant's when absent), first due on its next slot. */
  async create(
    tenantId: string,
    input: { readonly name: string; readonly schedule: string; readonly timezone?: string },
  ): Promise<CronSchedule> {
    const tenant = await this.#deps.stores.tenancy.getTenant(tenantId);
    const timezone = input.timezone ?? tenant?.timezone ?? 'UTC';
    const problem = cronProblem(input.schedule, timezone);
    if (problem !== null) {
      throw new SluiceError(
        'invalid_schedule',
        `Schedule ${JSON.stringify(input.schedule)} in ${JSON.stringify(timezone)} is not usable: ${problem}.`,
        { details: { schedule: input.schedule, timezone } },
      );
    }
    const exists = (await this.#deps.stores.cronSchedules.list(tenantId)).some((s) => s.name === input.name);
    if (exists) throw new SluiceError('conflict', `A schedule named ${JSON.stringify(input.name)} exists.`);
    const next = cronOf(input.schedule, timezone).nextRun(this.#deps.now()) ?? this.#deps.now();
    const created = await this.#deps.stores.cronSchedules.create({
      tenant_id: tenantId,
      name: input.name,
      schedule: input.schedule,
      timezone,
      next_slot_at: next,
    });
    this.#deps.onCreated?.();
    return created;
  }

  /**
   * Moves the tenant's schedules that were in its old zone `from` to its new one, each with its next slot
   * computed there; a slot already due stays due (it is emitted once, as a missed one is). Schedules
   * given another zone keep it.
   */
  async tenantTimezoneChanged(tenantId: string, from: string, to: string): Promise<void> {
    const now = this.#deps.now();
    for (const schedule of await this.#deps.stores.cronSchedules.list(tenantId)) {
      if (schedule.timezone !== from || from === to) continue;
      const current = new Date(schedule.next_slot_at);
      const next = current <= now ? current : (cronOf(schedule.schedule, to).nextRun(now) ?? current);
      await this.#deps.stores.cronSchedules.retime(tenantId, schedule.id, to, next);
    }
    this.#deps.onCreated?.();
  }

  list(tenantId: string): Promise<ReadonlyArray<CronSchedule>> {
    return this.#deps.stores.cronSchedules.list(tenantId);
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.#deps.stores.cronSchedules.delete(tenantId, id))) {
      throw new SluiceError('schedule_not_found', `Schedule "${id}" does not exist.`);
    }
  }
}
