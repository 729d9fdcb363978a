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

/** The rules a connection config's `streams` can break; the stable `rule` of a problem. */
export type StreamConfigRule =
  | 'value_type'
  | 'stream_unknown'
  | 'stream_not_pollable'
  | 'field_unknown'
  | 'schedule_invalid'
  | 'interval_format'
  | 'interval_bounds'
  | 'business_hours_invalid';

/** One broken rule of a connection config's `streams`, at a path such as `streams.customers.schedule`. */
export interface StreamConfigProblem {
  readonly path: string;
  readonly rule: StreamConfigRule;
  /** `streams.customers.schedule: rule schedule_invalid: …` */
  readonly message: string;
}

const STREAM_FIELDS = ['schedule', 'min_interval', 'max_interval', 'business_hours'] as const;
const HOURS_FIELDS = ['days', 'start', 'end'] as const;

const problemAt = (path: string, rule: StreamConfigRule, text: string): StreamConfigProblem => ({
  path,
  rule,
  message: `${path}: rule ${rule}: ${text}`,
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const typeOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/**
 * A stream's schedule and settings from the connection config's `streams.<key>` (`schedule`,
 * `min_interval`, `max_interval`, `business_hours {days, start, end}`) over the declaration's schedule.
 * Returns every problem instead when the config is wrong, each naming the field and the rule.
 */
export function streamConfigOf(
  config: Readonly<Record<string, unknown>>,
  key: string,
  declared: string | undefined,
  timezone: string,
): { ok: true; value: StreamConfig } | { ok: false; problems: StreamConfigProblem[] } {
  const all = config['streams'];
  const own = (isObject(all) ? all[key] : undefined) ?? {};
  const at = `streams.${key}`;
  if (!isObject(own)) {
    return { ok: false, problems: [problemAt(at, 'value_type', `must be an object, not ${typeOf(own)}`)] };
  }
  const problems: StreamConfigProblem[] = [];
  for (const field of Object.keys(own)) {
    if (!(STREAM_FIELDS as ReadonlyArray<string>).includes(field)) {
      problems.push(
        problemAt(`${at}.${field}`, 'field_unknown', `known fields are ${STREAM_FIELDS.join(', ')}`),
      );
    }
  }
  let schedule = declared ?? '*/5 * * * *';
  if (own['schedule'] !== undefined) {
    if (typeof own['schedule'] === 'string') schedule = own['schedule'];
    else
      problems.push(
        problemAt(`${at}.schedule`, 'value_type', `must be a cron text, not ${typeOf(own['schedule'])}`),
      );
  }
  const cron = cronProblem(schedule, timezone);
  if (cron !== null)
    problems.push(problemAt(`${at}.schedule`, 'schedule_invalid', `${JSON.stringify(schedule)}: ${cron}`));
  const settings: { -readonly [K in keyof StreamScheduleSettings]: StreamScheduleSettings[K] } = {};
  const bound = (field: 'min_interval' | 'max_interval'): number | undefined | null => {
    const value = own[field];
    if (value === undefined) return undefined;
    const ms = durationMs(value);
    if (ms === null) {
      problems.push(
        problemAt(
          `${at}.${field}`,
          'interval_format',
          `${JSON.stringify(value)}: give seconds, or text like 30s, 5m, 1h`,
        ),
      );
    }
    return ms;
  };
  const min = bound('min_interval');
  const max = bound('max_interval');
  if (min !== null && max !== null) {
    if ((min === undefined) !== (max === undefined)) {
      problems.push(problemAt(at, 'interval_bounds', 'give both min_interval and max_interval, or neither'));
    } else if (min !== undefined && max !== undefined) {
      if (min > max)
        problems.push(problemAt(`${at}.min_interval`, 'interval_bounds', 'must not exceed max_interval'));
      settings.min_interval_ms = min;
      settings.max_interval_ms = max;
    }
  }
  const hours = own['business_hours'];
  if (hours !== undefined) {
    const path = `${at}.business_hours`;
    if (!isObject(hours)) {
      problems.push(
        problemAt(path, 'value_type', `must be an object {days, start, end}, not ${typeOf(hours)}`),
      );
    } else {
      let typed = true;
      for (const field of Object.keys(hours)) {
        if (!(HOURS_FIELDS as ReadonlyArray<string>).includes(field)) {
          problems.push(
            problemAt(`${path}.${field}`, 'field_unknown', `known fields are ${HOURS_FIELDS.join(', ')}`),
          );
        } else if (typeof hours[field] !== 'string') {
          typed = false;
          problems.push(
            problemAt(`${path}.${field}`, 'value_type', `must be a string, not ${typeOf(hours[field])}`),
          );
        }
      }
      const window = {
        days: typeof hours['days'] === 'string' ? hours['days'] : '1-5',
        start: typeof hours['start'] === 'string' ? hours['start'] : '',
        end: typeof hours['end'] === 'string' ? hours['end'] : '',
      };
      const problem = typed ? businessHoursProblem(window) : null;
      if (problem !== null) problems.push(problemAt(path, 'business_hours_invalid', problem));
      else settings.business_hours = window;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: { schedule, settings } };
}

/**
 * Every problem of a connection config's `streams` for `connector`: `streams` must be an object whose keys
 * are the connector's poll streams, each checked by `streamConfigOf`. None when `streams` is absent.
 */
export function streamsConfigProblems(
  connector: Connector,
  config: Readonly<Record<string, unknown>>,
  timezone: string,
): StreamConfigProblem[] {
  const all = config['streams'];
  if (all === undefined) return [];
  if (!isObject(all))
    return [problemAt('streams', 'value_type', `must be an object keyed by stream, not ${typeOf(all)}`)];
  const polled = connector.streams.filter((d) => d.mode === 'poll' && connector.poll[d.key] !== undefined);
  const problems: StreamConfigProblem[] = [];
  for (const key of Object.keys(all)) {
    const declaration = connector.streams.find((d) => d.key === key);
    if (declaration === undefined) {
      const known = polled.map((d) => d.key).join(', ') || 'none';
      problems.push(
        problemAt(
          `streams.${key}`,
          'stream_unknown',
          `connector "${connector.id}" has no stream "${key}" (poll streams: ${known})`,
        ),
      );
    } else if (!polled.includes(declaration)) {
      problems.push(
        problemAt(
          `streams.${key}`,
          'stream_not_pollable',
          `stream "${key}" is a ${declaration.mode} stream; only poll streams take settings`,
        ),
      );
    } else {
      const parsed = streamConfigOf(config, key, declaration.schedule, timezone);
      if (!parsed.ok) problems.push(...parsed.problems);
    }
  }
  return problems;
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
