import type { Migration } from './migrations.ts';

/**
 * `0015_trace_context`: the W3C `traceparent` a stage hands the next one, so a trace continues across the
 * store and across processes: the ingest span's on each outbox row (the relay's parent), the route span's on
 * each job (the executor's parent). Null when tracing was off.
 */
export const TRACE_CONTEXT_MIGRATION: Migration = {
  id: '0015_trace_context',
  sql: `
ALTER TABLE outbox ADD COLUMN traceparent text;
ALTER TABLE jobs ADD COLUMN traceparent text;
`,
};
