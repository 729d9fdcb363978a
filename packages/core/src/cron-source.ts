import type { Emission } from './emission.ts';

/** The built-in `cron` source: its connector id, its one stream and its event type. */
export const CRON_CONNECTOR_ID = 'cron';
export const CRON_STREAM = 'ticks';
export const CRON_TICK_EVENT_TYPE = 'cron.tick';

/** What a tick is about: the schedule that fired and the slot it fired for. */
export interface CronTick {
  readonly schedule_id: string;
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  /** The slot's time (ISO), not the time it was emitted. */
  readonly slot: string;
  /** Slots that passed without a tick (Sluice was down) before this one; only the latest is emitted. */
  readonly missed: number;
}

/** A `cron.tick` emission; dedupe key `<schedule id>:<slot ISO>`, so one slot is one event. */
export function cronTickEmission(tick: CronTick): Emission {
  return {
    source: CRON_CONNECTOR_ID,
    event_type: CRON_TICK_EVENT_TYPE,
    stream: CRON_STREAM,
    dedupe_key: `${tick.schedule_id}:${tick.slot}`,
    occurred_at: tick.slot,
    payload: {
      entity: { kind: 'schedule', id: tick.schedule_id },
      schedule_id: tick.schedule_id,
      name: tick.name,
      schedule: tick.schedule,
      timezone: tick.timezone,
      slot: tick.slot,
      missed: tick.missed,
    },
  };
}
