import {
  type DeadLetterFilter,
  type DeadLetterPolicy,
  type DeadLetterPolicyStore,
  type NewDeadLetterPolicy,
  newId,
} from '@sluice/core';
import { iso } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

/** Replay policies over SQL; every read and write scoped by tenant except `takeDue`. */
export class SqlDeadLetterPolicyStore implements DeadLetterPolicyStore {
  readonly #db: SqlClient;

  constructor(db: SqlClient) {
    this.#db = db;
  }

  async create(input: NewDeadLetterPolicy): Promise<DeadLetterPolicy | null> {
    const [row] = await this.#db.query(
      `INSERT INTO dead_letter_policies (id, tenant_id, name, filter, every_seconds, max_replays)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, name) DO NOTHING RETURNING *`,
      [
        newId('deadLetterPolicy'),
        input.tenant_id,
        input.name,
        JSON.stringify(input.filter),
        input.every_seconds,
        input.max_replays,
      ],
    );
    return row === undefined ? null : toPolicy(row);
  }

  async get(tenantId: string, id: string): Promise<DeadLetterPolicy | null> {
    const [row] = await this.#db.query(
      'SELECT * FROM dead_letter_policies WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return row === undefined ? null : toPolicy(row);
  }

  async list(tenantId: string): Promise<ReadonlyArray<DeadLetterPolicy>> {
    const rows = await this.#db.query('SELECT * FROM dead_letter_policies WHERE tenant_id = $1 ORDER BY id', [
      tenantId,
    ]);
    return rows.map(toPolicy);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query(
      'DELETE FROM dead_letter_policies WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async takeDue(now: Date, limit: number): Promise<ReadonlyArray<DeadLetterPolicy>> {
    const rows = await this.#db.query(
      `UPDATE dead_letter_policies SET last_run_at = $1
        WHERE id IN (
          SELECT id FROM dead_letter_policies
           WHERE last_run_at IS NULL OR last_run_at + make_interval(secs => every_seconds) <= $1
           ORDER BY last_run_at NULLS FIRST, id LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [now, limit],
    );
    return rows.map(toPolicy);
  }
}

function toPolicy(row: Record<string, unknown>): DeadLetterPolicy {
  return {
    id: String(row['id']),
    tenant_id: String(row['tenant_id']),
    name: String(row['name']),
    filter: (row['filter'] ?? {}) as DeadLetterFilter,
    every_seconds: Number(row['every_seconds']),
    max_replays: Number(row['max_replays']),
    created_at: iso(row['created_at']),
    last_run_at:
      row['last_run_at'] === null || row['last_run_at'] === undefined ? null : iso(row['last_run_at']),
  };
}
