import type { Migration } from './migrations.ts';

/**
 * `0016_unfinished_by_priority`: the unfinished-jobs index that serves the queue-depth gauge leads with the
 * priority instead of the tenant. Led by the tenant, it was as good a match as the entity's own index for
 * every lookup of one entity's jobs (a claim's order check, the next head of a finish), and a planner whose
 * estimates for partial indexes are off (a table that filled since it was analyzed) took it, reading a
 * tenant's whole backlog per candidate: 0.23 ms and 152 rows per probe instead of one. Led by the priority,
 * it cannot serve a tenant's lookup, and still serves the gauge's scan of every unfinished job.
 */
export const JOB_INDEX_ORDER_MIGRATION: Migration = {
  id: '0016_unfinished_by_priority',
  sql: `
DROP INDEX jobs_unfinished;
CREATE INDEX jobs_unfinished_by_priority ON jobs (priority, tenant_id) WHERE status IN ('queued', 'running', 'retrying');
`,
};
