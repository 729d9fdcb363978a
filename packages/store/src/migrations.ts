import { ACTION_POLICY_MIGRATION } from './migrations-action-policy.ts';
import { BACKFILL_LEASES_MIGRATION } from './migrations-backfill-leases.ts';
import { HOT_PATH_KEYS_MIGRATION } from './migrations-hot-path-keys.ts';
import { JOB_INDEX_ORDER_MIGRATION } from './migrations-job-index-order.ts';
import { POLL_STATE_MIGRATION } from './migrations-poll-state.ts';
import { STREAM_SCHEDULES_MIGRATION } from './migrations-stream-schedules.ts';
import { TRACE_CONTEXT_MIGRATION } from './migrations-trace-context.ts';

/**
 * The one schema both adapters share, as ordered migrations. A migration is never edited once released;
 * a change is a new entry. Plain PostgreSQL: PGlite runs the same SQL.
 */
export interface Migration {
  readonly id: string;
  readonly sql: string;
}

export const MIGRATIONS: ReadonlyArray<Migration> = [
  {
    id: '0001_tenancy',
    sql: `
CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  reseller_id text,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE workspaces (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX workspaces_tenant ON workspaces (tenant_id);
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  prefix text NOT NULL,
  hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE TABLE connections (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  reseller_id text,
  workspace_id text REFERENCES workspaces (id),
  connector_id text NOT NULL,
  name text NOT NULL,
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'retired')),
  next_sequence bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  retired_at timestamptz
);
CREATE INDEX connections_tenant_connector ON connections (tenant_id, connector_id);
CREATE TABLE connection_secrets (
  id text PRIMARY KEY,
  tenant_id text NOT NULL,
  connection_id text NOT NULL REFERENCES connections (id),
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz
);
CREATE INDEX connection_secrets_connection ON connection_secrets (connection_id);
`,
  },
  {
    id: '0002_envelopes',
    sql: `
CREATE TABLE envelopes (
  event_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  reseller_id text,
  workspace_id text,
  connection_id text NOT NULL REFERENCES connections (id),
  sequence bigint NOT NULL,
  source text NOT NULL,
  event_type text NOT NULL,
  stream text NOT NULL,
  dedupe_key text NOT NULL,
  correlation_id text NOT NULL,
  causation_id text,
  trace_id text NOT NULL,
  occurred_at timestamptz,
  received_at timestamptz NOT NULL,
  mode text NOT NULL CHECK (mode IN ('live', 'quiet')),
  schema_version text NOT NULL,
  payload jsonb NOT NULL,
  agent_id text,
  session_id text,
  entity_key text,
  UNIQUE (connection_id, sequence)
);
CREATE INDEX envelopes_tenant_id ON envelopes (tenant_id, event_id);
CREATE INDEX envelopes_tenant_type ON envelopes (tenant_id, event_type, event_id);
CREATE INDEX envelopes_tenant_entity ON envelopes (tenant_id, entity_key, event_id);
CREATE INDEX envelopes_tenant_received ON envelopes (tenant_id, received_at);

CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES envelopes (event_id),
  tenant_id text NOT NULL,
  connection_id text NOT NULL,
  sequence bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  relayed_at timestamptz
);
CREATE INDEX outbox_pending ON outbox (connection_id, sequence) WHERE relayed_at IS NULL;

-- The dedupe guarantee: one live key per (tenant, source, dedupe_key), enforced by this primary key
-- inside the ingest transaction. An expired key is taken over by the next event that uses it.
CREATE TABLE dedupe_keys (
  tenant_id text NOT NULL,
  source text NOT NULL,
  dedupe_key text NOT NULL,
  event_id uuid NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, source, dedupe_key)
);

CREATE TABLE webhook_replays (
  connection_id text NOT NULL,
  replay_key text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, replay_key)
);
`,
  },
  {
    id: '0003_dead_letters',
    sql: `
CREATE TABLE dead_letters (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  connector text NOT NULL,
  connection_id text,
  event_payload jsonb NOT NULL,
  error_message text NOT NULL,
  error_context jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  retry_count integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replayed', 'expired'))
);
CREATE INDEX dead_letters_tenant ON dead_letters (tenant_id, status, id);
`,
  },
  {
    id: '0004_expiry_indexes',
    sql: `
CREATE INDEX dedupe_keys_expires ON dedupe_keys (expires_at);
CREATE INDEX webhook_replays_expires ON webhook_replays (expires_at);
CREATE INDEX dead_letters_pending ON dead_letters (created_at) WHERE status = 'pending';
`,
  },
  {
    id: '0005_connection_rate_limits',
    sql: `
ALTER TABLE connections ADD COLUMN rate_per_second integer CHECK (rate_per_second > 0);
ALTER TABLE connections ADD COLUMN rate_burst integer CHECK (rate_burst > 0);
`,
  },
  {
    id: '0006_commit_positions',
    sql: `
-- Commit-ordered positions: the writing transaction's id (set by default inside the ingest transaction) and
-- the row's place in the log. Readers read below the commit horizon, so a late commit is never skipped.
ALTER TABLE envelopes ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE envelopes ADD COLUMN log_id bigserial NOT NULL;
CREATE INDEX envelopes_tenant_position ON envelopes (tenant_id, tx_id, log_id);

ALTER TABLE outbox ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id();
ALTER TABLE outbox ADD COLUMN lease_owner text;
ALTER TABLE outbox ADD COLUMN lease_until timestamptz;
CREATE INDEX outbox_pending_position ON outbox (tx_id, id) WHERE relayed_at IS NULL;

-- A poll stream's cursor, written in the transaction of the page it follows.
CREATE TABLE stream_cursors (
  tenant_id text NOT NULL,
  connection_id text NOT NULL REFERENCES connections (id),
  stream text NOT NULL,
  cursor text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, stream)
);

-- One active platform-events connection per tenant, however many processes create it at once.
CREATE UNIQUE INDEX connections_platform ON connections (tenant_id) WHERE connector_id = 'sluice' AND status = 'active';
`,
  },
  {
    id: '0007_triggers_jobs',
    sql: `
ALTER TABLE tenants ADD COLUMN unmatched_events text NOT NULL DEFAULT 'drop'
  CHECK (unmatched_events IN ('drop', 'dead_letter'));

-- Where a live envelope came from: it decides the default priority of the jobs it causes.
ALTER TABLE outbox ADD COLUMN origin text NOT NULL DEFAULT 'webhook'
  CHECK (origin IN ('user', 'webhook', 'schedule', 'poll'));

-- A tenant's rules. The condition is stored as written: the JSON AST, {"sql": ...}, or a JSON string (text
-- form); NULL matches every envelope of a matching type. The action's signing secret is kept sealed, apart.
CREATE TABLE triggers (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  event_types jsonb NOT NULL,
  condition jsonb,
  priority text CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
  action jsonb NOT NULL,
  secret_ciphertext text,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX triggers_tenant ON triggers (tenant_id, id);
CREATE INDEX triggers_enabled ON triggers (id) WHERE enabled;

-- One job per (event, trigger), held by the unique constraint: a redelivered event creates nothing twice.
-- Jobs outlive their trigger, so trigger_id has no foreign key. event_tx and event_log are the event's
-- commit position; seq is creation order (list order).
CREATE TABLE jobs (
  id text PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  tenant_id text NOT NULL REFERENCES tenants (id),
  trigger_id text NOT NULL,
  event_id uuid NOT NULL,
  connection_id text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
  entity_key text,
  event_tx xid8 NOT NULL,
  event_log bigint NOT NULL,
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'running', 'retrying', 'succeeded', 'failed', 'dead_lettered', 'skipped')),
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, event_id, trigger_id)
);
-- The unique constraint's index also serves the event filter (tenant_id, event_id).
CREATE INDEX jobs_tenant ON jobs (tenant_id, seq);
CREATE INDEX jobs_tenant_trigger ON jobs (tenant_id, trigger_id, seq);
CREATE INDEX jobs_tenant_status ON jobs (tenant_id, status, seq);

-- One row per run of a job's action, numbered from 1; the executor writes them.
CREATE TABLE job_attempts (
  job_id text NOT NULL REFERENCES jobs (id),
  tenant_id text NOT NULL,
  n integer NOT NULL CHECK (n > 0),
  started_at timestamptz NOT NULL,
  status_code integer,
  latency_ms integer,
  error text,
  PRIMARY KEY (job_id, n)
);
`,
  },
  {
    id: '0008_cloudevent_attributes',
    sql: `
-- The context attributes of the CloudEvent an envelope came in as (id, source, type, subject, time,
-- extensions…), as the sender set them; null for envelopes that did not arrive as CloudEvents.
ALTER TABLE envelopes ADD COLUMN cloudevent jsonb;
`,
  },
  {
    id: '0009_job_queue',
    sql: `
-- The executor's queue lives on the job table. run_after: when the job may next run (its creation, or the
-- time its retry waits for); lease_owner/lease_until: the executor holding a running job and until when;
-- attempt_count: attempts started; idempotency_key: what its side effect is made under, the same on every
-- retry and replay (the default is trigger_id:event_id, also for jobs made before this migration).
ALTER TABLE jobs ADD COLUMN run_after timestamptz;
UPDATE jobs SET run_after = created_at;
ALTER TABLE jobs ALTER COLUMN run_after SET NOT NULL;
ALTER TABLE jobs ADD COLUMN lease_owner text;
ALTER TABLE jobs ADD COLUMN lease_until timestamptz;
-- A job left running by nothing that holds a lease is reclaimed by the first claim.
UPDATE jobs SET lease_until = created_at WHERE status = 'running';
ALTER TABLE jobs ADD COLUMN attempt_count integer NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN idempotency_key text;
UPDATE jobs SET idempotency_key = trigger_id || ':' || event_id::text;
ALTER TABLE jobs ALTER COLUMN idempotency_key SET NOT NULL;
ALTER TABLE jobs ADD COLUMN finished_at timestamptz;
ALTER TABLE jobs ADD COLUMN last_error text;

-- head: the one unfinished job of its entity that may run next, its running or retrying job if it has one,
-- else its earliest queued job by event position; every unfinished job without an entity. Claims read only
-- heads, by the index below, so however many entities wait behind a running job, none of their waiting
-- jobs is looked at.
ALTER TABLE jobs ADD COLUMN head boolean NOT NULL DEFAULT false;
UPDATE jobs SET head = true WHERE entity_key IS NULL AND status IN ('queued', 'running', 'retrying');
UPDATE jobs SET head = true WHERE id IN (
  SELECT DISTINCT ON (tenant_id, entity_key) id FROM jobs
   WHERE entity_key IS NOT NULL AND status IN ('queued', 'running', 'retrying')
   ORDER BY tenant_id, entity_key, (status <> 'queued') DESC, seq);

-- Single-flight, held by the database: never two running (or retry-waiting) jobs of one entity.
CREATE UNIQUE INDEX jobs_single_flight ON jobs (tenant_id, entity_key)
  WHERE status IN ('running', 'retrying') AND entity_key IS NOT NULL;
-- An entity's unfinished jobs in creation order, which is event order: the router creates one connection's
-- jobs in its sequence order (its next job, the order check of a claim). Commit positions are not used
-- here: a transaction's id is taken at its first write, so one connection's later sequence can carry an
-- earlier position.
CREATE INDEX jobs_entity_unfinished ON jobs (tenant_id, entity_key, seq)
  WHERE status IN ('queued', 'running', 'retrying') AND entity_key IS NOT NULL;
CREATE INDEX jobs_entity_head ON jobs (tenant_id, entity_key) WHERE head AND entity_key IS NOT NULL;
-- What a claim may take: heads waiting to run, by tenant and priority, oldest first (a claim reads the
-- first few of each tenant and priority, never a flooding tenant's whole backlog).
CREATE INDEX jobs_claimable ON jobs (tenant_id, priority, run_after, seq) WHERE head AND status IN ('queued', 'retrying');
-- Running jobs by lease (lapsed leases, running counts per tenant).
CREATE INDEX jobs_leases ON jobs (lease_until) INCLUDE (tenant_id) WHERE status = 'running';
CREATE INDEX jobs_unfinished ON jobs (tenant_id, priority) WHERE status IN ('queued', 'running', 'retrying');

-- What a side effect returned, under its idempotency key, until it expires (swept by housekeeping).
CREATE TABLE job_results (
  tenant_id text NOT NULL,
  key text NOT NULL,
  job_id text NOT NULL,
  result jsonb NOT NULL DEFAULT 'null'::jsonb,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, key)
);
CREATE INDEX job_results_expires ON job_results (expires_at);

-- One dead-letter model: inbound deliveries (ingest) and jobs that failed for good (job), by kind.
ALTER TABLE dead_letters ADD COLUMN kind text NOT NULL DEFAULT 'ingest' CHECK (kind IN ('ingest', 'job'));
ALTER TABLE dead_letters ADD COLUMN job_id text;

-- A trigger's single-flight mode, retry policy (null: the executor's defaults) and idempotency-key template.
ALTER TABLE triggers ADD COLUMN single_flight text NOT NULL DEFAULT 'queue'
  CHECK (single_flight IN ('queue', 'skip', 'latest'));
ALTER TABLE triggers ADD COLUMN retry jsonb;
ALTER TABLE triggers ADD COLUMN idempotency_key text;
`,
  },
  {
    id: '0010_dead_letter_policies',
    sql: `
-- Automated replay policies: every every_seconds, the tenant's pending dead letters matching filter are
-- replayed, each until its retry_count reaches max_replays. last_run_at: the last interval a worker took.
CREATE TABLE dead_letter_policies (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  name text NOT NULL,
  filter jsonb NOT NULL,
  every_seconds integer NOT NULL CHECK (every_seconds >= 60),
  max_replays integer NOT NULL CHECK (max_replays >= 1),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_run_at timestamptz,
  UNIQUE (tenant_id, name)
);
CREATE INDEX dead_letter_policies_due ON dead_letter_policies (last_run_at);

-- Depth alerts: the pending count above which the tenant hears of it (null: never), and whether it is
-- above now, so one process says it once per crossing.
ALTER TABLE tenants ADD COLUMN dead_letter_alert_threshold integer CHECK (dead_letter_alert_threshold >= 0);
ALTER TABLE tenants ADD COLUMN dead_letter_alerting boolean NOT NULL DEFAULT false;

-- One dead letter per job: a job that fails again after a replay takes its dead letter back to pending,
-- keeping its id and retry_count (older duplicates, if any, go first).
DELETE FROM dead_letters d USING dead_letters newer
 WHERE d.job_id IS NOT NULL AND newer.tenant_id = d.tenant_id AND newer.job_id = d.job_id
   AND (newer.created_at, newer.id) > (d.created_at, d.id);
CREATE UNIQUE INDEX dead_letters_job ON dead_letters (tenant_id, job_id) WHERE job_id IS NOT NULL;
-- Pending depth by tenant and kind.
CREATE INDEX dead_letters_pending_kind ON dead_letters (tenant_id, kind) WHERE status = 'pending';
`,
  },
  STREAM_SCHEDULES_MIGRATION,
  POLL_STATE_MIGRATION,
  // After 0012, which creates the backfills table it alters.
  BACKFILL_LEASES_MIGRATION,
  ACTION_POLICY_MIGRATION,
  TRACE_CONTEXT_MIGRATION,
  JOB_INDEX_ORDER_MIGRATION,
  HOT_PATH_KEYS_MIGRATION,
];
