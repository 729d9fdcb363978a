import type { Migration } from './migrations.ts';

/**
 * `0013_backfill_leases`: a running backfill is worked by the one process holding its lease; a lease
 * that lapses (its holder died or hangs) is taken over by another process.
 */
export const BACKFILL_LEASES_MIGRATION: Migration = {
  id: '0013_backfill_leases',
  sql: `
ALTER TABLE backfills ADD COLUMN lease_owner text;
ALTER TABLE backfills ADD COLUMN lease_until timestamptz;
`,
};
