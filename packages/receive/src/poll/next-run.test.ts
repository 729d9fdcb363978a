import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamSchedule } from '@sluice/core';
import { insideBusinessHours, nextOpening } from './business-hours.ts';
import { LEARN_AFTER_POLLS, nextRun, rezonedRun } from './next-run.ts';
import { hourOfWeek } from './zoned-time.ts';

const NOW = new Date('2030-03-05T10:00:00.000Z'); // a Tuesday

function stream(overrides: Partial<StreamSchedule> = {}): StreamSchedule {
  return {
    tenant_id: 'ten_a',
    connection_id: 'con_1',
    stream: 'customers',
    connector_id: 'stripe',
    schedule: '*/5 * * * *',
    timezone: 'UTC',
    settings: { min_interval_ms: 60_000, max_interval_ms: 1_800_000 },
    next_run_at: NOW.toISOString(),
    interval_ms: null,
    interval_reason: 'cron schedule',
    status: 'ok',
    paused: false,
    last_run_at: null,
    last_success_at: null,
    last_error_at: null,
    last_error: null,
    rate_limited_until: null,
    records: 0,
    envelopes: 0,
    history: {},
    lease_owner: null,
    lease_until: null,
    ...overrides,
  };
}

const changed = { kind: 'changed', changes: 3, rateLimitedUntil: null } as const;
const empty = { kind: 'empty', changes: 0, rateLimitedUntil: null } as const;

describe('next run', () => {
  it('follows the cron schedule alone without adaptive bounds, on its slots (no drift)', () => {
    const run = nextRun(stream({ settings: {} }), empty, new Date('2030-03-05T10:03:17.000Z'));
    assert.equal(run.next_run_at.toISOString(), '2030-03-05T10:05:00.000Z');
    assert.equal(run.interval_ms, 300_000);
    assert.match(run.reason, /cron schedule "\*\/5 \* \* \* \*"/);
  });

  it('starts from the cadence, shrinks after changes and grows after empty polls, within bounds', () => {
    let s = stream();
    const intervals: number[] = [];
    for (const finding of [
      changed,
      changed,
      changed,
      changed,
      empty,
      empty,
      empty,
      empty,
      empty,
      empty,
      empty,
      empty,
      empty,
    ]) {
      const run = nextRun(s, finding, NOW);
      intervals.push(run.interval_ms ?? 0);
      s = stream({ interval_ms: run.interval_ms });
    }
    assert.deepEqual(intervals.slice(0, 4), [150_000, 75_000, 60_000, 60_000]);
    assert.equal(intervals[4], 90_000);
    assert.equal(intervals.at(-1), 1_800_000);
    const reason = nextRun(stream({ interval_ms: 120_000 }), changed, NOW).reason;
    assert.match(reason, /shortened to 1 min after a poll that found 3 changes \(bounds 1 min–30 min\)/);
  });

  it('doubles after a rate limit and waits until the reset', () => {
    const until = new Date(NOW.getTime() + 3_600_000);
    const run = nextRun(
      stream({ interval_ms: 120_000 }),
      { kind: 'rate_limited', changes: 0, rateLimitedUntil: until },
      NOW,
    );
    assert.equal(run.interval_ms, 240_000);
    assert.equal(run.next_run_at.toISOString(), until.toISOString());
    assert.match(run.reason, /lengthened to 4 min after rate limiting.*rate limited until/);
  });

  it('waits for the business-hours window in the tenant time zone', () => {
    const window = { days: '1-5', start: '09:00', end: '17:00' };
    const s = stream({ timezone: 'Europe/Berlin', settings: { business_hours: window } });
    // Friday 16:58 Berlin (15:58 UTC): the next slot at 17:00 is closed, so Monday 09:00 Berlin.
    const run = nextRun(s, empty, new Date('2030-03-08T15:58:00.000Z'));
    assert.equal(run.next_run_at.toISOString(), '2030-03-11T08:00:00.000Z');
    assert.match(run.reason, /outside business hours 09:00–17:00 on days 1-5 \(Europe\/Berlin\)/);
    assert.equal(insideBusinessHours(window, new Date('2030-03-11T08:00:00.000Z'), 'Europe/Berlin'), true);
    assert.equal(insideBusinessHours(window, new Date('2030-03-09T10:00:00.000Z'), 'Europe/Berlin'), false);
    assert.equal(
      nextOpening(window, new Date('2030-03-09T10:00:00.000Z'), 'America/New_York').toISOString(),
      '2030-03-11T13:00:00.000Z',
    );
  });

  it('learns the upper bound for an hour of week that never changes, and records each poll', () => {
    const late = new Date('2030-03-05T10:59:00.000Z');
    const hour = String(hourOfWeek(new Date(late.getTime() + 150_000), 'UTC'));
    const quiet = stream({ history: { [hour]: { polls: LEARN_AFTER_POLLS, changed: 0 } } });
    const run = nextRun(quiet, changed, late);
    assert.equal(run.interval_ms, 1_800_000);
    assert.match(run.reason, /learned: no changes in 4 polls at hour 35 of the week/);
    assert.deepEqual(run.history[String(hourOfWeek(late, 'UTC'))], { polls: 1, changed: 1 });
    const busy = stream({
      interval_ms: 1_000_000,
      history: { [String(hourOfWeek(new Date(NOW.getTime() + 1_500_000), 'UTC'))]: { polls: 8, changed: 8 } },
    });
    assert.equal(nextRun(busy, empty, NOW).interval_ms, 60_000);
  });
});

describe('a stream moved to another time zone', () => {
  const cronOnly = { settings: {}, schedule: '0 9 * * *', next_run_at: '2030-03-06T09:00:00.000Z' };

  it('takes its cron slot in the new zone, reads business hours there, and still waits out a rate limit', () => {
    // 09:00 in Tokyo is 00:00 UTC: the next after NOW (10:00 UTC) is tomorrow's.
    assert.equal(
      rezonedRun(stream(cronOnly), 'Asia/Tokyo', NOW).next_run_at.toISOString(),
      '2030-03-06T00:00:00.000Z',
    );
    const hours = { business_hours: { days: '1-5', start: '10:00', end: '18:00' } };
    const windowed = rezonedRun(stream({ ...cronOnly, settings: hours }), 'Asia/Tokyo', NOW);
    assert.equal(windowed.next_run_at.toISOString(), '2030-03-06T01:00:00.000Z'); // 10:00 Tokyo
    assert.match(windowed.reason, /outside business hours/);
    const limited = stream({ ...cronOnly, rate_limited_until: '2030-03-06T03:00:00.000Z' });
    assert.equal(
      rezonedRun(limited, 'Asia/Tokyo', NOW).next_run_at.toISOString(),
      '2030-03-06T03:00:00.000Z',
    );
  });

  it('keeps an adaptive interval, and a stream already due stays due', () => {
    const adaptive = stream({ next_run_at: '2030-03-05T10:07:00.000Z' });
    assert.equal(
      rezonedRun(adaptive, 'Asia/Tokyo', NOW).next_run_at.toISOString(),
      '2030-03-05T10:07:00.000Z',
    );
    const due = stream({ ...cronOnly, next_run_at: '2030-03-05T09:59:00.000Z' });
    assert.equal(rezonedRun(due, 'Asia/Tokyo', NOW).next_run_at.toISOString(), '2030-03-05T09:59:00.000Z');
  });
});
