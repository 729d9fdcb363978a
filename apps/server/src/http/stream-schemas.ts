import { Type } from '@sinclair/typebox';
import { STREAM_STATUSES } from '@sluice/core';
import { literals, NullableString, NullableTime, Time } from './schema-parts.ts';

/** The poll side's resources: a stream's schedule and health, a cron schedule, a backfill. */

export const Stream = Type.Object(
  {
    connection_id: Type.String(),
    connector_id: Type.String(),
    stream: Type.String(),
    mode: Type.Literal('poll'),
    schedule: Type.String(),
    timezone: Type.String(),
    interval_ms: Type.Union([Type.Integer(), Type.Null()]),
    interval_reason: Type.String(),
    settings: Type.Record(Type.String(), Type.Unknown()),
    next_run_at: Time,
    status: literals(STREAM_STATUSES),
    rate_limited_until: NullableTime,
    last_run_at: NullableTime,
    last_success_at: NullableTime,
    last_error: Type.Union([Type.Object({ at: Time, message: NullableString }), Type.Null()]),
    records: Type.Integer(),
    envelopes: Type.Integer(),
  },
  { $id: 'Stream', title: 'Stream', description: "A poll stream's health." },
);

export const CronSchedule = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    name: Type.String(),
    schedule: Type.String(),
    timezone: Type.String(),
    next_slot_at: Time,
    last_slot_at: NullableTime,
    created_at: Time,
  },
  { $id: 'CronSchedule', title: 'CronSchedule', description: 'A cron schedule of the tenant.' },
);

export const Backfill = Type.Object(
  {
    id: Type.String(),
    connection_id: Type.String(),
    stream: Type.String(),
    since: Time,
    until: Time,
    mode: literals(['live', 'quiet']),
    status: literals(['running', 'completed', 'failed']),
    counts: Type.Object({
      pages: Type.Integer(),
      records: Type.Integer(),
      emitted: Type.Integer(),
      duplicates: Type.Integer(),
    }),
    error: NullableString,
    rate_limited_until: NullableTime,
    created_at: Time,
    updated_at: Time,
  },
  { $id: 'Backfill', title: 'Backfill', description: 'A run of a poll stream over a past window.' },
);
