import type { ChangeHistory, StreamSchedule } from '@sluice/core';
import { describeWindow, insideBusinessHours, nextOpening } from './business-hours.ts';
import { cronCadenceMs, cronOf, hourOfWeek } from './zoned-time.ts';

/** What a run found, as the next-run rule sees it. */
export interface RunFinding {
  readonly kind: 'changed' | 'empty' | 'rate_limited' | 'failed';
  readonly changes: number;
  readonly rateLimitedUntil: Date | null;
}

/** When a stream runs next, at what interval, why, and its history with this run counted. */
export interface NextRun {
  readonly next_run_at: Date;
  readonly interval_ms: number | null;
  readonly reason: string;
  readonly history: ChangeHistory;
}

/** An hour of week needs this many polls before its learned rate is trusted. */
export const LEARN_AFTER_POLLS = 4;

const FALLBACK_CADENCE_MS = 300_000;

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

/** `90 s`, `5 min`, `2 h`: an interval for a reason. */
export function humanMs(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round((ms / 60_000) * 10) / 10} min`;
  return `${Math.round((ms / 3_600_000) * 10) / 10} h`;
}

/** The history with one poll at `at`'s hour of week counted (only polls that completed teach it). */
export function recordPoll(
  history: ChangeHistory,
  at: Date,
  timezone: string,
  changed: boolean,
): ChangeHistory {
  const key = String(hourOfWeek(at, timezone));
  const seen = history[key] ?? { polls: 0, changed: 0 };
  return { ...history, [key]: { polls: seen.polls + 1, changed: seen.changed + (changed ? 1 : 0) } };
}

/**
 * The next run of a stream after a run ending at `now`. Without adaptive bounds the cron schedule decides
 * alone. With `min_interval_ms` and `max_interval_ms` the interval starts at the schedule's cadence, halves
 * after a poll that found changes, grows ×1.5 after an empty poll and doubles after a rate limit or failure,
 * always within the bounds; an hour of week whose history shows no changes (or changes on most polls) takes
 * the upper (or lower) bound. Outside its business hours a stream waits for the next opening, and a rate
 * limit is always waited out.
 */
export function nextRun(stream: StreamSchedule, finding: RunFinding, now: Date): NextRun {
  const { settings, timezone } = stream;
  const cron = cronOf(stream.schedule, timezone);
  const history =
    finding.kind === 'changed' || finding.kind === 'empty'
      ? recordPoll(stream.history, now, timezone, finding.kind === 'changed')
      : stream.history;
  let next: Date;
  let interval: number | null;
  const reasons: string[] = [];
  const min = settings.min_interval_ms;
  const max = settings.max_interval_ms;
  if (min === undefined || max === undefined) {
    next = cron.nextRun(now) ?? new Date(now.getTime() + FALLBACK_CADENCE_MS);
    interval = cronCadenceMs(cron, now);
    reasons.push(`cron schedule "${stream.schedule}" (${timezone})`);
  } else {
    const base = stream.interval_ms ?? clamp(cronCadenceMs(cron, now) ?? FALLBACK_CADENCE_MS, min, max);
    const step = STEPS[finding.kind];
    interval = clamp(base * step.factor, min, max);
    reasons.push(
      `${interval > base ? 'lengthened' : interval < base ? 'shortened' : 'kept'} to ${humanMs(interval)} ${step.why(finding)} (bounds ${humanMs(min)}–${humanMs(max)})`,
    );
    const learned = learnedBound(history, new Date(now.getTime() + interval), timezone, min, max);
    if (learned !== null && learned.interval !== interval) {
      interval = learned.interval;
      reasons.push(learned.why);
    }
    next = new Date(now.getTime() + interval);
  }
  const window = settings.business_hours;
  if (window !== undefined && !insideBusinessHours(window, next, timezone)) {
    next = nextOpening(window, next, timezone);
    reasons.push(
      `outside business hours ${describeWindow(window, timezone)}: waits for ${next.toISOString()}`,
    );
  }
  if (finding.rateLimitedUntil !== null && finding.rateLimitedUntil > next) {
    next = finding.rateLimitedUntil;
    reasons.push(`rate limited until ${next.toISOString()}`);
  }
  return { next_run_at: next, interval_ms: interval, reason: reasons.join('; '), history };
}

/**
 * A stream's next run once its time zone becomes `timezone` (its tenant's changed), at `now`. A stream
 * already due stays due; a cron-scheduled one takes its schedule's next slot in the new zone; an adaptive
 * one keeps its interval's next run. Business hours are then read in the new zone, and a rate limit is
 * still waited out.
 */
export function rezonedRun(
  stream: StreamSchedule,
  timezone: string,
  now: Date,
): { readonly next_run_at: Date; readonly reason: string } {
  const current = new Date(stream.next_run_at);
  if (current <= now) return { next_run_at: current, reason: `time zone changed to ${timezone}; due now` };
  const { settings } = stream;
  const adaptive = settings.min_interval_ms !== undefined && settings.max_interval_ms !== undefined;
  let next = adaptive ? current : (cronOf(stream.schedule, timezone).nextRun(now) ?? current);
  const reasons = [
    adaptive
      ? `time zone changed to ${timezone}; interval kept`
      : `time zone changed to ${timezone}: cron schedule "${stream.schedule}" (${timezone})`,
  ];
  const window = settings.business_hours;
  if (window !== undefined && !insideBusinessHours(window, next, timezone)) {
    next = nextOpening(window, next, timezone);
    reasons.push(
      `outside business hours ${describeWindow(window, timezone)}: waits for ${next.toISOString()}`,
    );
  }
  const limited = stream.rate_limited_until === null ? null : new Date(stream.rate_limited_until);
  if (limited !== null && limited > next) {
    next = limited;
    reasons.push(`rate limited until ${next.toISOString()}`);
  }
  return { next_run_at: next, reason: reasons.join('; ') };
}

const STEPS: Record<RunFinding['kind'], { factor: number; why: (f: RunFinding) => string }> = {
  changed: {
    factor: 0.5,
    why: (f) => `after a poll that found ${f.changes} change${f.changes === 1 ? '' : 's'}`,
  },
  empty: { factor: 1.5, why: () => 'after an empty poll' },
  rate_limited: { factor: 2, why: () => 'after rate limiting' },
  failed: { factor: 2, why: () => 'after a failed poll' },
};

/** The bound an hour of week's history argues for, once it has enough polls. */
function learnedBound(
  history: ChangeHistory,
  at: Date,
  timezone: string,
  min: number,
  max: number,
): { interval: number; why: string } | null {
  const hour = hourOfWeek(at, timezone);
  const seen = history[String(hour)];
  if (seen === undefined || seen.polls < LEARN_AFTER_POLLS) return null;
  const slot = `hour ${hour} of the week`;
  if (seen.changed === 0) {
    return {
      interval: max,
      why: `learned: no changes in ${seen.polls} polls at ${slot}, so ${humanMs(max)}`,
    };
  }
  if (seen.changed / seen.polls >= 0.75) {
    return {
      interval: min,
      why: `learned: changes in ${seen.changed} of ${seen.polls} polls at ${slot}, so ${humanMs(min)}`,
    };
  }
  return null;
}
