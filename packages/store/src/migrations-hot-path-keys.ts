import type { Migration } from './migrations.ts';

/**
 * `0017_hot_path_without_foreign_keys`: the foreign keys of the rows written once per event or job are
 * dropped: an envelope's connection, an outbox row's envelope, a job's tenant, an attempt's job. Each was
 * checked row by row by a trigger (a lookup and a share lock on the referenced row): two lookups per
 * envelope, a quarter of the ingest statement's time (1,000 envelopes with their dedupe keys and outbox
 * rows: 38.6–39.8 ms with them, 28.9–30.0 ms without). The references still hold by construction, and
 * nothing deletes what they point at (connections retire, tenants and envelopes stay):
 * - the ingest statement (`append-group.ts`) writes each envelope from the connection row it locked, and
 *   the envelope's outbox row from the same row of its `rows` CTE, in one statement;
 * - jobs are created for triggers of their tenant (`createMany`), and an attempt by the claim of its job.
 */
export const HOT_PATH_KEYS_MIGRATION: Migration = {
  id: '0017_hot_path_without_foreign_keys',
  sql: `
ALTER TABLE envelopes DROP CONSTRAINT IF EXISTS envelopes_connection_id_fkey;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_event_id_fkey;
ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_tenant_id_fkey;
ALTER TABLE job_attempts DROP CONSTRAINT IF EXISTS job_attempts_job_id_fkey;
`,
};
