import type { Connection, Connector, NewStreamSchedule, StreamScheduleSettings } from '@sluice/core';
import { businessHoursProblem } from './business-hours.ts';
import { cronOf, cronProblem } from './zoned-time.ts';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration in ms from seconds (a number) or text such as `90s`, `5m`, `1h`; null when unreadable. */
export function durationMs(value: unknown): number | null {
  if (typeof value === 'number') return value > 0 && Number.isFinite(value) ? value * 1000 : null;
  if (typeof value !== 'string') return null;
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
  return match === null ? null : Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1000);
}

/** One poll stream's overrides in a connection config (`streams.<key>`). */
export interface StreamConfig {
  readonly schedule: string;
  readonly settings: StreamScheduleSettings;
}

/**
 * A stream's schedule and settings from the connection config's `streams.<key>` (`schedule`,
 * `min_interval`, `max_interval`, `business_hours {days, start, end}`) over the declaration's schedule.
 * Returns the problems instead when the config is wrong, each naming the field.
 */
export function streamConfigOf(
  config: Readonly<Record<string, unknown>>,
  key: string,
  declared: string | undefined,
  timezone: string,
): { ok: true; value: StreamConfig } | { ok: false; problems: string[] } {
  const all = config['streams'];
  const own =
    (all !== null && typeof all === 'object' ? (all as Record<string, unknown>)[key] : undefined) ?? {};
  const problems: string[] = [];
  const raw = own as Record<string, unknown>;
  const schedule = typeof raw['schedule'] === 'string' ? raw['schedule'] : (declared ?? '*/5 * * * *');
  const cron = cronProblem(schedule, timezone);
  if (cron !== null) problems.push(`streams.${key}.schedule ${JSON.stringify(schedule)}: ${cron}`);
  const settings: { -readonly [K in keyof StreamScheduleSettings]: StreamScheduleSettings[K] } = {};
  const min = raw['min_interval'] === undefined ? undefined : durationMs(raw['min_interval']);
  const max = raw['max_interval'] === undefined ? undefined : durationMs(raw['max_interval']);
  if (min === null || max === null)
    problems.push(`streams.${key}.min_interval/max_interval: seconds, or text like 30s, 5m, 1h`);
  else if ((min === undefined) !== (max === undefined))
    problems.push(`streams.${key}: give both min_interval and max_interval`);
  else if (min !== undefined && max !== undefined) {
    if (min > max) problems.push(`streams.${key}.min_interval must not exceed max_interval`);
    settings.min_interval_ms = min;
    settings.max_interval_ms = max;
  }
  const hours = raw['business_hours'];
  if (hours !== undefined) {
    const h = hours as Record<string, unknown>;
    const window = {
      days: String(h['days'] ?? '1-5'),
      start: String(h['start'] ?? ''),
      end: String(h['end'] ?? ''),
    };
    const problem = businessHoursProblem(window);
    if (problem !== null) problems.push(`streams.${key}.business_hours: ${problem}`);
    else settings.business_hours = window;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { schedule, settings } };
}

/** The schedules of a connection's active poll streams, first due on their next slot after `now`. */
export function pollStreamSchedules(
  connection: Connection,
  connector: Connector,
  timezone: string,
  now: Date,
): NewStreamSchedule[] {
  const schedules: NewStreamSchedule[] = [];
  for (const declaration of connector.streams) {
    if (declaration.mode !== 'poll' || connector.poll[declaration.key] === undefined) continue;
    if (declaration.active !== undefined && !declaration.active(connection.config)) continue;
    const parsed = streamConfigOf(connection.config, declaration.key, declaration.schedule, timezone);
    if (!parsed.ok) continue;
    schedules.push({
      tenant_id: connection.tenant_id,
      connection_id: connection.id,
      stream: declaration.key,
      connector_id: connector.id,
      schedule: parsed.value.schedule,
      timezone,
      settings: parsed.value.settings,
      next_run_at: cronOf(parsed.value.schedule, timezone).nextRun(now) ?? now,
    });
  }
  return schedules;
}
