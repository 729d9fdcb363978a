import type { Migration } from './migrations.ts';

/** Poll-stream schedules and health, tenants' cron schedules, a tenant's time zone. */
export const STREAM_SCHEDULES_MIGRATION: Migration = {
  id: '0011_stream_schedules',
  sql: `
-- A tenant's time zone: business hours and learned intervals are read in it; cron schedules default to it.
ALTER TABLE tenants ADD COLUMN timezone text NOT NULL DEFAULT 'UTC';

-- One row per (connection, poll stream): when it runs next, who holds it, how it is doing.
CREATE TABLE stream_schedules (
  tenant_id text NOT NULL,
  connection_id text NOT NULL,
  stream text NOT NULL,
  connector_id text NOT NULL,
  schedule text NOT NULL,
  timezone text NOT NULL,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  next_run_at timestamptz NOT NULL,
  interval_ms bigint,
  interval_reason text NOT NULL DEFAULT 'cron schedule',
  status text NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'failing', 'rate_limited', 'paused')),
  paused boolean NOT NULL DEFAULT false,
  lease_owner text,
  lease_until timestamptz,
  last_run_at timestamptz,
  last_success_at timestamptz,
  last_error_at timestamptz,
  last_error text,
  rate_limited_until timestamptz,
  records bigint NOT NULL DEFAULT 0,
  envelopes bigint NOT NULL DEFAULT 0,
  history jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (tenant_id, connection_id, stream)
);
-- What a claim takes: unpaused streams by the time they are due (a held lease counts as due at its end).
CREATE INDEX stream_schedules_due ON stream_schedules ((GREATEST(next_run_at, COALESCE(lease_until, next_run_at))))
  WHERE NOT paused;
CREATE INDEX stream_schedules_connection ON stream_schedules (connection_id);

-- A tenant's cron schedules; the cron source emits cron.tick on each slot.
CREATE TABLE cron_schedules (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  name text NOT NULL,
  schedule text NOT NULL,
  timezone text NOT NULL,
  next_slot_at timestamptz NOT NULL,
  last_slot_at timestamptz,
  lease_owner text,
  lease_until timestamptz,
  created_at timestamptz NOT NULL,
  UNIQUE (tenant_id, name)
);
CREATE INDEX cron_schedules_due ON cron_schedules ((GREATEST(next_slot_at, COALESCE(lease_until, next_slot_at))));
`,
};
