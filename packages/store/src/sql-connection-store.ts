import {
  type AppendInput,
  type Connection,
  type ConnectionChanges,
  type ConnectionSecret,
  type ConnectionStore,
  type NewConnection,
  newId,
  SluiceError,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { toConnection, toSecret } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

/** Connections and their signing secrets over SQL, every read and write scoped by tenant. */
export class SqlConnectionStore implements ConnectionStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  create(input: NewConnection, facts?: ReadonlyArray<AppendInput>): Promise<Connection> {
    return this.#db.transaction(async (tx) => {
      const [tenant] = await tx.query<{ reseller_id: string | null }>(
        'SELECT reseller_id FROM tenants WHERE id = $1',
        [input.tenant_id],
      );
      if (tenant === undefined)
        throw new SluiceError('tenant_not_found', `Tenant "${input.tenant_id}" does not exist.`);
      if (input.workspace_id !== null) {
        const [workspace] = await tx.query('SELECT 1 FROM workspaces WHERE tenant_id = $1 AND id = $2', [
          input.tenant_id,
          input.workspace_id,
        ]);
        if (workspace === undefined) {
          throw new SluiceError(
            'validation_failed',
            `Workspace "${input.workspace_id}" does not exist in this tenant.`,
          );
        }
      }
      const id = input.id ?? newId('connection');
      const [row] = await tx.query(
        `INSERT INTO connections (id, tenant_id, reseller_id, workspace_id, connector_id, name, config,
           rate_per_second, rate_burst)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
        [
          id,
          input.tenant_id,
          tenant.reseller_id,
          input.workspace_id,
          input.connector_id,
          input.name,
          input.config,
          input.rate_limit?.per_second ?? null,
          input.rate_limit?.burst ?? null,
        ],
      );
      await tx.query(
        'INSERT INTO connection_secrets (id, tenant_id, connection_id, ciphertext) VALUES ($1, $2, $3, $4)',
        [newId('secret'), input.tenant_id, id, input.secret_ciphertext],
      );
      await appendFacts(tx, facts, this.#now());
      return toConnection(row as Row);
    });
  }

  async get(tenantId: string, id: string): Promise<Connection | null> {
    const [row] = await this.#db.query('SELECT * FROM connections WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toConnection(row);
  }

  async findForIngest(id: string): Promise<Connection | null> {
    const [row] = await this.#db.query('SELECT * FROM connections WHERE id = $1', [id]);
    return row === undefined ? null : toConnection(row);
  }

  async list(
    tenantId: string,
    filter: { connector_id?: string; status?: Connection['status'] } = {},
  ): Promise<ReadonlyArray<Connection>> {
    const rows = await this.#db.query(
      `SELECT * FROM connections WHERE tenant_id = $1
         AND ($2::text IS NULL OR connector_id = $2) AND ($3::text IS NULL OR status = $3)
       ORDER BY id`,
      [tenantId, filter.connector_id ?? null, filter.status ?? null],
    );
    return rows.map(toConnection);
  }

  async update(tenantId: string, id: string, changes: ConnectionChanges): Promise<Connection | null> {
    const setsRate = changes.rate_limit !== undefined;
    const [row] = await this.#db.query(
      `UPDATE connections SET name = COALESCE($3, name),
              rate_per_second = CASE WHEN $4 THEN $5::integer ELSE rate_per_second END,
              rate_burst = CASE WHEN $4 THEN $6::integer ELSE rate_burst END
        WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [
        tenantId,
        id,
        changes.name ?? null,
        setsRate,
        changes.rate_limit?.per_second ?? null,
        changes.rate_limit?.burst ?? null,
      ],
    );
    return row === undefined ? null : toConnection(row);
  }

  retire(
    tenantId: string,
    id: string,
    facts?: (connection: Connection) => ReadonlyArray<AppendInput>,
  ): Promise<Connection | null> {
    return this.#db.transaction(async (tx) => {
      const now = this.#now();
      // Only the call that moves it from active reports the change; a second retire finds nothing to do.
      const [changed] = await tx.query(
        `UPDATE connections SET status = 'retired', retired_at = $3
          WHERE tenant_id = $1 AND id = $2 AND status = 'active' RETURNING *`,
        [tenantId, id, now],
      );
      if (changed !== undefined) {
        const connection = toConnection(changed);
        if (facts !== undefined) await appendFacts(tx, facts(connection), now);
        return connection;
      }
      const [row] = await tx.query('SELECT * FROM connections WHERE tenant_id = $1 AND id = $2', [
        tenantId,
        id,
      ]);
      return row === undefined ? null : toConnection(row);
    });
  }

  async liveSecrets(
    tenantId: string,
    connectionId: string,
    now: Date,
  ): Promise<ReadonlyArray<ConnectionSecret>> {
    const rows = await this.#db.query(
      `SELECT * FROM connection_secrets
        WHERE tenant_id = $1 AND connection_id = $2 AND (expires_at IS NULL OR expires_at > $3)
        ORDER BY created_at DESC, id DESC`,
      [tenantId, connectionId, now],
    );
    return rows.map(toSecret);
  }

  rotateSecret(
    tenantId: string,
    connectionId: string,
    secret: { readonly id: string; readonly ciphertext: string },
    overlapUntil: Date,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<ConnectionSecret> {
    return this.#db.transaction(async (tx) => {
      const [connection] = await tx.query(
        'SELECT 1 FROM connections WHERE tenant_id = $1 AND id = $2 FOR UPDATE',
        [tenantId, connectionId],
      );
      if (connection === undefined) {
        throw new SluiceError('connection_not_found', `Connection "${connectionId}" does not exist.`);
      }
      await tx.query(
        `UPDATE connection_secrets SET expires_at = $3
          WHERE tenant_id = $1 AND connection_id = $2 AND (expires_at IS NULL OR expires_at > $3)`,
        [tenantId, connectionId, overlapUntil],
      );
      const [row] = await tx.query(
        'INSERT INTO connection_secrets (id, tenant_id, connection_id, ciphertext) VALUES ($1, $2, $3, $4) RETURNING *',
        [secret.id, tenantId, connectionId, secret.ciphertext],
      );
      await appendFacts(tx, facts, this.#now());
      return toSecret(row as Row);
    });
  }
}
