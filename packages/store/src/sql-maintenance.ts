import type { StoreMaintenance, SweepResult } from '@sluice/core';
import { migrate } from './migrator.ts';
import type { SqlClient } from './sql-client.ts';

/** Migrations, health, shutdown and housekeeping over SQL. */
export class SqlMaintenance implements StoreMaintenance {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  migrate(): Promise<{ applied: string[] }> {
    return migrate(this.#db);
  }

  /** The store answers, and (embedded) can write: see `SqlClient.probeWrite`. */
  async ping(): Promise<void> {
    await this.#db.probeWrite?.();
    await this.#db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  /**
   * Expired dedupe keys, replay keys and remembered job results out, old pending dead letters expired, each
   * in a bounded batch.
   */
  async sweepExpired(now: Date, deadLettersBefore: Date, limit: number): Promise<SweepResult> {
    const dedupe = await this.#db.query(
      `DELETE FROM dedupe_keys WHERE (tenant_id, source, dedupe_key) IN (
         SELECT tenant_id, source, dedupe_key FROM dedupe_keys WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const replays = await this.#db.query(
      `DELETE FROM webhook_replays WHERE (connection_id, replay_key) IN (
         SELECT connection_id, replay_key FROM webhook_replays WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const expired = await this.#db.query(
      `UPDATE dead_letters SET status = 'expired' WHERE id IN (
         SELECT id FROM dead_letters WHERE status = 'pending' AND created_at < $1 LIMIT $2)
       RETURNING 1`,
      [deadLettersBefore, limit],
    );
    const results = await this.#db.query(
      `DELETE FROM job_results WHERE (tenant_id, key) IN (
         SELECT tenant_id, key FROM job_results WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    const hashes = await this.#db.query(
      `DELETE FROM record_hashes WHERE (connection_id, stream, record_id) IN (
         SELECT connection_id, stream, record_id FROM record_hashes WHERE expires_at <= $1 LIMIT $2)
       RETURNING 1`,
      [now, limit],
    );
    return {
      record_hashes: hashes.length,
      dedupe_keys: dedupe.length,
      webhook_replays: replays.length,
      dead_letters_expired: expired.length,
      job_results: results.length,
    };
  }
}
