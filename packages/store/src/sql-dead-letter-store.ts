import type {
  AppendInput,
  DeadLetter,
  DeadLetterStatus,
  DeadLetterStore,
  NewDeadLetter,
  Page,
  PageRequest,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { insertDeadLetter } from './dead-letter-insert.ts';
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

  async list(
    tenantId: string,
    filter: { status?: DeadLetterStatus },
    page: PageRequest,
  ): Promise<Page<DeadLetter>> {
    const rows = await this.#db.query(
      `SELECT * FROM dead_letters WHERE tenant_id = $1
         AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR id > $3)
       ORDER BY id LIMIT $4`,
      [tenantId, filter.status ?? null, page.after ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map(toDeadLetter);
    const last = items.at(-1);
    return { items, next: rows.length > page.limit && last !== undefined ? last.id : null };
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
}
