import type { StreamScheduleSettings } from '@sluice/core';
import { cronOf, wallClock } from './zoned-time.ts';

type BusinessHours = NonNullable<StreamScheduleSettings['business_hours']>;

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** The weekdays of a cron-style day list (`1-5`, `0,6`, `*`; 0 and 7 are Sunday). */
function weekdays(days: string): ReadonlySet<number> {
  const set = new Set<number>();
  for (const part of days.split(',')) {
    if (part.trim() === '*') return new Set([0, 1, 2, 3, 4, 5, 6]);
    const [from, to = from] = part.split('-').map((d) => Number(d.trim()));
    if (from === undefined || to === undefined || !Number.isInteger(from) || !Number.isInteger(to)) continue;
    for (let d = from; d <= to; d++) set.add(d % 7);
  }
  return set;
}

const minutesOf = (hhmm: string): number => {
  const match = HHMM.exec(hhmm);
  return match === null ? 0 : Number(match[1]) * 60 + Number(match[2]);
};

/** Null when the window is well formed, else the reason. */
export function businessHoursProblem(window: BusinessHours): string | null {
  if (!HHMM.test(window.start) || !HHMM.test(window.end)) return 'start and end must be HH:MM (24 h)';
  if (minutesOf(window.start) >= minutesOf(window.end)) return 'start must be before end';
  if (weekdays(window.days).size === 0) return 'days must be a cron day list such as 1-5';
  return null;
}

/** True when `at` falls inside the window on the wall clock of `timezone`. */
export function insideBusinessHours(window: BusinessHours, at: Date, timezone: string): boolean {
  const clock = wallClock(at, timezone);
  if (!weekdays(window.days).has(clock.weekday)) return false;
  const minute = clock.hour * 60 + clock.minute;
  return minute >= minutesOf(window.start) && minute < minutesOf(window.end);
}

/** The next opening of the window after `at` (cron `M H * * days` in the zone, so DST is croner's). */
export function nextOpening(window: BusinessHours, at: Date, timezone: string): Date {
  const minutes = minutesOf(window.start);
  const cron = cronOf(`${minutes % 60} ${Math.floor(minutes / 60)} * * ${window.days}`, timezone);
  return cron.nextRun(at) ?? at;
}

/** Describes the window for a stream's health: `09:00–17:00 on days 1-5 (Europe/Berlin)`. */
export const describeWindow = (window: BusinessHours, timezone: string): string =>
  `${window.start}–${window.end} on days ${window.days} (${timezone})`;
