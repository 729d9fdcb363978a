import type {
  AppendInput,
  DeadLetter,
  DeadLetterDepth,
  DeadLetterFilter,
  DeadLetterStatus,
  DeadLetterStore,
  JobReplay,
  NewDeadLetter,
  Page,
  PageRequest,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { withConflictRetry } from './conflict-retry.ts';
import { deadLetterWhere } from './dead-letter-filter.ts';
import { insertDeadLetter } from './dead-letter-insert.ts';
import { requeueJob } from './job-requeue.ts';
import { toDeadLetter } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

/** Dead letters over SQL, every read and write scoped by tenant. */
export class SqlDeadLetterStore implements DeadLetterStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  create(input: NewDeadLetter, facts?: ReadonlyArray<AppendInput>): Promise<DeadLetter> {
    return this.#db.transaction(async (tx) => {
      const letter = await insertDeadLetter(tx, input);
      await appendFacts(tx, facts, this.#now());
      return letter;
    });
  }

  async get(tenantId: string, id: string): Promise<DeadLetter | null> {
    const [row] = await this.#db.query('SELECT * FROM dead_letters WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toDeadLetter(row);
  }

  async list(tenantId: string, filter: DeadLetterFilter, page: PageRequest): Promise<Page<DeadLetter>> {
    const where = deadLetterWhere(filter, 4);
    const rows = await this.#db.query(
      `SELECT d.* FROM dead_letters d WHERE d.tenant_id = $1 AND ($2::text IS NULL OR d.id > $2)
         AND ${where.sql}
       ORDER BY d.id LIMIT $3`,
      [tenantId, page.after ?? null, page.limit + 1, ...where.params],
    );
    const items = rows.slice(0, page.limit).map(toDeadLetter);
    const last = items.at(-1);
    return { items, next: rows.length > page.limit && last !== undefined ? last.id : null };
  }

  async count(tenantId: string, filter: DeadLetterFilter): Promise<number> {
    const where = deadLetterWhere(filter, 2);
    const [row] = await this.#db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM dead_letters d WHERE d.tenant_id = $1 AND ${where.sql}`,
      [tenantId, ...where.params],
    );
    return Number(row?.n ?? 0);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query(
      'DELETE FROM dead_letters WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async recordReplay(
    tenantId: string,
    id: string,
    status: DeadLetterStatus,
    error?: string,
  ): Promise<DeadLetter | null> {
    const [row] = await this.#db.query(
      `UPDATE dead_letters SET retry_count = retry_count + 1, status = $3,
              error_message = COALESCE($4, error_message)
        WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, status, error ?? null],
    );
    return row === undefined ? null : toDeadLetter(row);
  }

  replayJob(tenantId: string, id: string, facts?: ReadonlyArray<AppendInput>): Promise<JobReplay> {
    return withConflictRetry(() =>
      this.#db.transaction(async (tx): Promise<JobReplay> => {
        const now = this.#now();
        const [row] = await tx.query(
          'SELECT * FROM dead_letters WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
          [tenantId, id],
        );
        if (row === undefined) return { kind: 'not_found' };
        const deadLetter = toDeadLetter(row);
        if (deadLetter.kind !== 'job' || deadLetter.status !== 'pending' || deadLetter.job_id === null) {
          return { kind: 'not_pending', deadLetter };
        }
        const job = await requeueJob(tx, tenantId, deadLetter.job_id, now);
        if (job === null) return { kind: 'job_not_replayable', deadLetter };
        const [updated] = await tx.query(
          `UPDATE dead_letters SET status = 'replayed', retry_count = retry_count + 1
            WHERE tenant_id = $1 AND id = $2 RETURNING *`,
          [tenantId, id],
        );
        await appendFacts(tx, facts, now);
        return { kind: 'replayed', deadLetter: toDeadLetter(updated ?? row), job };
      }),
    );
  }

  async depth(): Promise<ReadonlyArray<DeadLetterDepth>> {
    const rows = await this.#db.query<{ tenant_id: string; kind: string; pending: string }>(
      `SELECT tenant_id, kind, count(*)::text AS pending FROM dead_letters WHERE status = 'pending'
        GROUP BY tenant_id, kind ORDER BY tenant_id, kind`,
    );
    return rows.map((row) => ({
      tenant_id: row.tenant_id,
      kind: row.kind === 'job' ? 'job' : 'ingest',
      pending: Number(row.pending),
    }));
  }
}
