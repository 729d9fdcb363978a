import { Cron } from 'croner';

const formats = new Map<string, Intl.DateTimeFormat>();

function formatIn(timezone: string): Intl.DateTimeFormat {
  let format = formats.get(timezone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formats.set(timezone, format);
  }
  return format;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Weekday (0 = Sunday, as cron counts), hour and minute of `at` on the wall clock of `timezone`. */
export function wallClock(at: Date, timezone: string): { weekday: number; hour: number; minute: number } {
  const parts = formatIn(timezone).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '0';
  return {
    weekday: WEEKDAYS.indexOf(part('weekday')),
    hour: Number(part('hour')),
    minute: Number(part('minute')),
  };
}

/** The hour of week of `at` in `timezone`: 0 is Monday 00:00–01:00, 167 Sunday 23:00–24:00. */
export function hourOfWeek(at: Date, timezone: string): number {
  const { weekday, hour } = wallClock(at, timezone);
  return ((weekday + 6) % 7) * 24 + hour;
}

const parsed = new Map<string, Cron>();

/** A parsed cron expression in a time zone (croner), cached; throws on a bad expression or zone. */
export function cronOf(schedule: string, timezone: string): Cron {
  const key = `${timezone} ${schedule}`;
  let cron = parsed.get(key);
  if (cron === undefined) {
    cron = new Cron(schedule, { timezone, paused: true });
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(key, cron);
  }
  return cron;
}

/** Null when `schedule` is a valid cron expression in `timezone`, else the reason. */
export function cronProblem(schedule: string, timezone: string): string | null {
  try {
    if (cronOf(schedule, timezone).nextRun() === null) return 'it never fires';
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The gap between the next two slots of a cron schedule after `now`, in ms (its cadence). */
export function cronCadenceMs(cron: Cron, now: Date): number | null {
  const [a, b] = cron.nextRuns(2, now);
  return a === undefined || b === undefined ? null : b.getTime() - a.getTime();
}
