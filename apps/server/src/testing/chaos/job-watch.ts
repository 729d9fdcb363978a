import type { SqlClient } from '@sluice/store';

/**
 * Samples the jobs table while a scenario runs: entities with two running jobs at once (the single-flight
 * rule), and running jobs whose lease lapsed more than `graceSeconds` ago and that nothing reclaimed.
 */
export class JobWatch {
  /** The most running jobs of one entity seen in one sample. */
  maxRunningPerEntity = 0;
  /** The longest any running job stayed past its lease, in seconds. */
  maxPastLeaseSeconds = 0;
  samples = 0;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();

  private readonly sql: SqlClient;
  private readonly tenantId: string;
  private readonly intervalMs: number;

  constructor(sql: SqlClient, tenantId: string, intervalMs = 500) {
    this.sql = sql;
    this.tenantId = tenantId;
    this.intervalMs = intervalMs;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.sample()).catch(() => {});
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.pending;
  }

  private async sample(): Promise<void> {
    const [entity] = await this.sql.query<{ n: string }>(
      `SELECT COALESCE(max(n), 0)::text AS n FROM (
         SELECT count(*) AS n FROM jobs
          WHERE tenant_id = $1 AND status = 'running' AND entity_key IS NOT NULL
          GROUP BY entity_key) running`,
      [this.tenantId],
    );
    const [lease] = await this.sql.query<{ s: string }>(
      `SELECT COALESCE(max(EXTRACT(EPOCH FROM (now() - lease_until))), 0)::text AS s
         FROM jobs WHERE tenant_id = $1 AND status = 'running' AND lease_until < now()`,
      [this.tenantId],
    );
    this.samples++;
    this.maxRunningPerEntity = Math.max(this.maxRunningPerEntity, Number(entity?.n ?? 0));
    this.maxPastLeaseSeconds = Math.max(this.maxPastLeaseSeconds, Number(lease?.s ?? 0));
  }
}
