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
  isUuid,
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
import * as connections from './connection-queries.ts';
import * as deadLetters from './dead-letter-queries.ts';
import { queryEnvelopes } from './envelope-queries.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { migrate } from './migrator.ts';
import { iso, toApiKey, toEnvelope, toTenant, toWorkspace } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';
import { isDataError, isRetryableConflict } from './storage-errors.ts';
import { sweepExpired } from './sweep-queries.ts';

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

  createConnection(input: NewConnection): Promise<Connection> {
    return connections.createConnection(this.#db, input);
  }

  getConnection(tenantId: string, id: string): Promise<Connection | null> {
    return connections.getConnection(this.#db, tenantId, id);
  }

  findConnectionForIngest(id: string): Promise<Connection | null> {
    return connections.findConnectionForIngest(this.#db, id);
  }

  listConnections(
    tenantId: string,
    filter: { connector_id?: string; status?: Connection['status'] } = {},
  ): Promise<ReadonlyArray<Connection>> {
    return connections.listConnections(this.#db, tenantId, filter);
  }

  updateConnection(
    tenantId: string,
    id: string,
    changes: { name?: string; rate_limit?: RateLimit | null },
  ): Promise<Connection | null> {
    return connections.updateConnection(this.#db, tenantId, id, changes);
  }

  retireConnection(tenantId: string, id: string): Promise<Connection | null> {
    return connections.retireConnection(this.#db, tenantId, id, this.#now());
  }

  liveSecrets(tenantId: string, connectionId: string, now: Date): Promise<ReadonlyArray<ConnectionSecret>> {
    return connections.liveSecrets(this.#db, tenantId, connectionId, now);
  }

  rotateSecret(
    tenantId: string,
    connectionId: string,
    ciphertext: string,
    overlapUntil: Date,
  ): Promise<ConnectionSecret> {
    return connections.rotateSecret(this.#db, tenantId, connectionId, ciphertext, overlapUntil);
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
    if (!isUuid(eventId)) return null;
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

  createDeadLetter(input: NewDeadLetter): Promise<DeadLetter> {
    return deadLetters.createDeadLetter(this.#db, input);
  }

  getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
    return deadLetters.getDeadLetter(this.#db, tenantId, id);
  }

  listDeadLetters(
    tenantId: string,
    filter: { status?: DeadLetterStatus },
    page: PageRequest,
  ): Promise<Page<DeadLetter>> {
    return deadLetters.listDeadLetters(this.#db, tenantId, filter, page);
  }

  sweepExpired(now: Date, deadLettersBefore: Date, limit: number): Promise<SweepResult> {
    return sweepExpired(this.#db, now, deadLettersBefore, limit);
  }

  deleteDeadLetter(tenantId: string, id: string): Promise<boolean> {
    return deadLetters.deleteDeadLetter(this.#db, tenantId, id);
  }

  recordDeadLetterReplay(
    tenantId: string,
    id: string,
    status: DeadLetterStatus,
    error?: string,
  ): Promise<DeadLetter | null> {
    return deadLetters.recordDeadLetterReplay(this.#db, tenantId, id, status, error);
  }
}
