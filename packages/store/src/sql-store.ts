import {
  type ApiKeyRecord,
  type AppendInput,
  type AppendResult,
  type Connection,
  type ConnectionSecret,
  type DeadLetter,
  type DeadLetterStatus,
  type Envelope,
  type EnvelopeFilter,
  type NewConnection,
  type NewDeadLetter,
  newId,
  type OutboxEntry,
  type Page,
  type PageRequest,
  type RateLimit,
  SluiceError,
  type Store,
  type SweepResult,
  type Tenant,
  type Workspace,
} from '@sluice/core';
import { appendGroup, type GroupItemResult } from './append-group.ts';
import { queryEnvelopes } from './envelope-queries.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { migrate } from './migrator.ts';
import {
  iso,
  toApiKey,
  toConnection,
  toDeadLetter,
  toEnvelope,
  toSecret,
  toTenant,
  toWorkspace,
} from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';
import { isDataError, isRetryableConflict } from './storage-errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SqlStoreOptions {
  /** Injected clock (tests move time to expire dedupe keys). */
  readonly now?: () => Date;
  /** How appends share commits. */
  readonly groupCommit?: GroupCommitOptions;
}

/** The `Store` over any `SqlClient`: one SQL dialect for PGlite and PostgreSQL. Every query is tenant-scoped. */
export class SqlStore implements Store {
  readonly #db: SqlClient;
  readonly #now: () => Date;
  readonly #group: GroupCommit;

  constructor(db: SqlClient, options: SqlStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    // PGlite runs one transaction at a time; PostgreSQL overlaps two groups' round trips.
    this.#group = new GroupCommit((inputs) => this.#commitGroup(inputs), {
      maxInFlight: db.dialect === 'pglite' ? 1 : 2,
      ...options.groupCommit,
    });
  }

  get dialect(): SqlClient['dialect'] {
    return this.#db.dialect;
  }

  migrate(): Promise<{ applied: string[] }> {
    return migrate(this.#db);
  }

  async ping(): Promise<void> {
    await this.#db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.#db.close();
  }

  async createTenant(input: { name: string; reseller_id?: string | null; id?: string }): Promise<Tenant> {
    const [row] = await this.#db.query(
      'INSERT INTO tenants (id, name, reseller_id) VALUES ($1, $2, $3) RETURNING *',
      [input.id ?? newId('tenant'), input.name, input.reseller_id ?? null],
    );
    return toTenant(row as Record<string, unknown>);
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const [row] = await this.#db.query('SELECT * FROM tenants WHERE id = $1', [id]);
    return row === undefined ? null : toTenant(row);
  }

  async listTenants(): Promise<ReadonlyArray<Tenant>> {
    return (await this.#db.query('SELECT * FROM tenants ORDER BY id')).map(toTenant);
  }

  async createWorkspace(tenantId: string, name: string): Promise<Workspace> {
    const [row] = await this.#db.query(
      'INSERT INTO workspaces (id, tenant_id, name) VALUES ($1, $2, $3) RETURNING *',
      [newId('workspace'), tenantId, name],
    );
    return toWorkspace(row as Record<string, unknown>);
  }

  async getWorkspace(tenantId: string, id: string): Promise<Workspace | null> {
    const [row] = await this.#db.query('SELECT * FROM workspaces WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toWorkspace(row);
  }

  async createApiKey(input: {
    tenant_id: string;
    name: string;
    prefix: string;
    hash: string;
  }): Promise<ApiKeyRecord> {
    const [row] = await this.#db.query(
      'INSERT INTO api_keys (id, tenant_id, name, prefix, hash) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [newId('apiKey'), input.tenant_id, input.name, input.prefix, input.hash],
    );
    return toApiKey(row as Record<string, unknown>);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.#db.query('SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL', [
      hash,
    ]);
    return row === undefined ? null : toApiKey(row);
  }

  async createConnection(input: NewConnection): Promise<Connection> {
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
        [newId('connection').replace('con_', 'sec_'), input.tenant_id, id, input.secret_ciphertext],
      );
      return toConnection(row as Record<string, unknown>);
    });
  }

  async getConnection(tenantId: string, id: string): Promise<Connection | null> {
    const [row] = await this.#db.query('SELECT * FROM connections WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toConnection(row);
  }

  async findConnectionForIngest(id: string): Promise<Connection | null> {
    const [row] = await this.#db.query('SELECT * FROM connections WHERE id = $1', [id]);
    return row === undefined ? null : toConnection(row);
  }

  async listConnections(
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

  async updateConnection(
    tenantId: string,
    id: string,
    changes: { name?: string; rate_limit?: RateLimit | null },
  ): Promise<Connection | null> {
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

  async retireConnection(tenantId: string, id: string): Promise<Connection | null> {
    const [row] = await this.#db.query(
      `UPDATE connections SET status = 'retired', retired_at = COALESCE(retired_at, $3)
        WHERE tenant_id = $1 AND id = $2 RETURNING *`,
      [tenantId, id, this.#now()],
    );
    return row === undefined ? null : toConnection(row);
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

  async rotateSecret(
    tenantId: string,
    connectionId: string,
    ciphertext: string,
    overlapUntil: Date,
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
        [newId('connection').replace('con_', 'sec_'), tenantId, connectionId, ciphertext],
      );
      return toSecret(row as Record<string, unknown>);
    });
  }

  /** Shares a commit with the appends that arrive while another is under way (group commit). */
  append(input: AppendInput): Promise<AppendResult> {
    return this.#group.submit(input);
  }

  async #commitGroup(inputs: ReadonlyArray<AppendInput>): Promise<GroupItemResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction((tx) => appendGroup(tx, inputs, this.#now()));
      } catch (error) {
        if (attempt < 3 && isRetryableConflict(error)) continue;
        if (!isDataError(error)) throw error;
        // Data the database refuses fails its whole group: commit each input alone, so only its own fails.
        if (inputs.length > 1) {
          return Promise.all(
            inputs.map((input) =>
              this.#commitGroup([input]).then(
                ([item]): GroupItemResult =>
                  item ?? { ok: false, error: new Error('group commit lost a result') },
                (failure: unknown): GroupItemResult => ({ ok: false, error: failure }),
              ),
            ),
          );
        }
        const reason = error instanceof Error ? error.message : String(error);
        throw new SluiceError('emission_invalid', `The store refused the emission's data: ${reason}.`, {
          cause: error,
        });
      }
    }
  }

  async getEnvelope(tenantId: string, eventId: string): Promise<Envelope | null> {
    if (!UUID.test(eventId)) return null;
    const [row] = await this.#db.query(
      'SELECT * FROM envelopes WHERE tenant_id = $1 AND event_id = $2::uuid',
      [tenantId, eventId],
    );
    return row === undefined ? null : toEnvelope(row);
  }

  queryEnvelopes(tenantId: string, filter: EnvelopeFilter, page: PageRequest): Promise<Page<Envelope>> {
    return queryEnvelopes(this.#db, tenantId, filter, page);
  }

  async readOutbox(
    tenantId: string,
    connectionId: string,
    afterSequence: number,
    limit: number,
  ): Promise<ReadonlyArray<OutboxEntry>> {
    const rows = await this.#db.query<Record<string, unknown>>(
      `SELECT id, event_id::text AS event_id, tenant_id, connection_id, sequence, relayed_at FROM outbox
        WHERE tenant_id = $1 AND connection_id = $2 AND sequence > $3 ORDER BY sequence LIMIT $4`,
      [tenantId, connectionId, afterSequence, limit],
    );
    return rows.map((row) => ({
      id: Number(row['id']),
      event_id: String(row['event_id']),
      tenant_id: String(row['tenant_id']),
      connection_id: String(row['connection_id']),
      sequence: Number(row['sequence']),
      relayed_at: row['relayed_at'] === null ? null : iso(row['relayed_at']),
    }));
  }

  async createDeadLetter(input: NewDeadLetter): Promise<DeadLetter> {
    const [row] = await this.#db.query(
      `INSERT INTO dead_letters (id, tenant_id, connector, connection_id, event_payload, error_message, error_context)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        newId('deadLetter'),
        input.tenant_id,
        input.connector,
        input.connection_id,
        JSON.stringify(input.event_payload),
        input.error_message,
        JSON.stringify(input.error_context),
      ],
    );
    return toDeadLetter(row as Record<string, unknown>);
  }

  async getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
    const [row] = await this.#db.query('SELECT * FROM dead_letters WHERE tenant_id = $1 AND id = $2', [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toDeadLetter(row);
  }

  async listDeadLetters(
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
    return {
      dedupe_keys: dedupe.length,
      webhook_replays: replays.length,
      dead_letters_expired: expired.length,
    };
  }

  async deleteDeadLetter(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query(
      'DELETE FROM dead_letters WHERE tenant_id = $1 AND id = $2 RETURNING id',
      [tenantId, id],
    );
    return rows.length > 0;
  }

  async recordDeadLetterReplay(
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
