import { cronOf } from './zoned-time.ts';

/** The most slots walked to find the latest missed one (a minutely schedule down for ~70 days). */
const MAX_WALK = 100_000;

/**
 * The slots of a schedule from `due` (its recorded next slot) up to `now`: the latest, how many passed
 * before it, and the next slot after `now`. Null `latest` when `due` is still ahead.
 */
export function dueSlots(
  schedule: string,
  timezone: string,
  due: Date,
  now: Date,
): { latest: Date | null; missed: number; next: Date } {
  const cron = cronOf(schedule, timezone);
  const next = cron.nextRun(now) ?? new Date(8.64e15);
  if (due > now) return { latest: null, missed: 0, next };
  let latest = due;
  let count = 0;
  for (
    let slot = cron.nextRun(due);
    slot !== null && slot <= now && count < MAX_WALK;
    slot = cron.nextRun(slot)
  ) {
    latest = slot;
    count++;
  }
  return { latest, missed: count, next };
}
