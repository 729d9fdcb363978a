import type { Migration } from './migrations.ts';

/**
 * `0012_poll_state`: change-detection hashes (written in the page's append transaction, their TTL
 * refreshed at every sighting), backfills and their progress, and the index that lets a backfill dedupe
 * against the stored envelopes past the dedupe window.
 */
export const POLL_STATE_MIGRATION: Migration = {
  id: '0012_poll_state',
  sql: `
CREATE TABLE record_hashes (
  tenant_id text NOT NULL,
  connection_id text NOT NULL REFERENCES connections (id),
  stream text NOT NULL,
  record_id text NOT NULL,
  hash text NOT NULL,
  generation text NOT NULL,
  record jsonb NOT NULL DEFAULT 'null'::jsonb,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, stream, record_id)
);
CREATE INDEX record_hashes_expires ON record_hashes (expires_at);

CREATE TABLE backfills (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants (id),
  connection_id text NOT NULL REFERENCES connections (id),
  stream text NOT NULL,
  since timestamptz NOT NULL,
  until timestamptz NOT NULL,
  mode text NOT NULL CHECK (mode IN ('live', 'quiet')),
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
  counts jsonb NOT NULL DEFAULT '{}'::jsonb,
  cursor_key text NOT NULL,
  error text,
  rate_limited_until timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX backfills_tenant ON backfills (tenant_id, connection_id, created_at);
CREATE INDEX backfills_running ON backfills (created_at) WHERE status = 'running';

-- A backfill's page is a duplicate of any envelope still kept with its tenant, source and dedupe key.
CREATE INDEX envelopes_dedupe ON envelopes (tenant_id, source, dedupe_key);
`,
};
