import type { IngestMinute, IngestStats } from '@sluice/core';
import { iso } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

/**
 * Per-minute aggregates of one tenant's log. The envelopes come from the `(tenant_id, received_at)` index
 * and their jobs from the jobs' `(tenant_id, event_id, …)` key, so the cost is the window's envelopes,
 * never the whole log.
 */
export class SqlIngestStats implements IngestStats {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  async perMinute(
    tenantId: string,
    window: { readonly since: Date; readonly until: Date },
  ): Promise<ReadonlyArray<IngestMinute>> {
    const rows = await this.#db.query<{
      minute: unknown;
      envelopes: number;
      p50: number | null;
      p95: number | null;
    }>(
      `WITH received AS (
         SELECT event_id, received_at, date_trunc('minute', received_at) AS minute
           FROM envelopes
          WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3
       ), counted AS (
         SELECT minute, count(*)::int AS envelopes FROM received GROUP BY minute
       ), routed AS (
         SELECT r.minute,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY lag.ms) AS p50,
                percentile_cont(0.95) WITHIN GROUP (ORDER BY lag.ms) AS p95
           FROM received r
           JOIN jobs j ON j.tenant_id = $1 AND j.event_id = r.event_id
          CROSS JOIN LATERAL (
                SELECT GREATEST(0, extract(epoch FROM j.created_at - r.received_at) * 1000)::float8 AS ms
              ) lag
          GROUP BY r.minute
       )
       SELECT c.minute, c.envelopes, r.p50, r.p95
         FROM counted c LEFT JOIN routed r ON r.minute = c.minute
        ORDER BY c.minute`,
      [tenantId, window.since, window.until],
    );
    return rows.map((row) => ({
      minute: iso(row.minute),
      envelopes: Number(row.envelopes),
      routed_p50_ms: row.p50 === null ? null : Math.round(Number(row.p50)),
      routed_p95_ms: row.p95 === null ? null : Math.round(Number(row.p95)),
    }));
  }
}
