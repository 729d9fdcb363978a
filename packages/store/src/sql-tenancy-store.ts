import {
  type ApiKeyRecord,
  type AppendInput,
  newId,
  type TenancyStore,
  type Tenant,
  type TenantChanges,
  type Workspace,
} from '@sluice/core';
import { appendFacts } from './append-facts.ts';
import { toApiKey, toTenant, toWorkspace } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

/** Tenants, workspaces and API keys over SQL. */
export class SqlTenancyStore implements TenancyStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date = () => new Date()) {
    this.#db = db;
    this.#now = now;
  }

  async createTenant(input: { name: string; reseller_id?: string | null; id?: string }): Promise<Tenant> {
    const [row] = await this.#db.query(
      'INSERT INTO tenants (id, name, reseller_id) VALUES ($1, $2, $3) RETURNING *',
      [input.id ?? newId('tenant'), input.name, input.reseller_id ?? null],
    );
    return toTenant(row as Row);
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const [row] = await this.#db.query('SELECT * FROM tenants WHERE id = $1', [id]);
    return row === undefined ? null : toTenant(row);
  }

  async listTenants(): Promise<ReadonlyArray<Tenant>> {
    return (await this.#db.query('SELECT * FROM tenants ORDER BY id')).map(toTenant);
  }

  async updateTenant(id: string, changes: TenantChanges): Promise<Tenant | null> {
    const threshold = changes.dead_letter_alert_threshold;
    const [row] = await this.#db.query(
      `UPDATE tenants SET name = COALESCE($2, name), unmatched_events = COALESCE($3, unmatched_events),
              dead_letter_alert_threshold = CASE WHEN $4::boolean THEN $5::integer
                                                 ELSE dead_letter_alert_threshold END,
              timezone = COALESCE($6, timezone),
              allowed_actions = CASE WHEN $7::boolean THEN $8::jsonb ELSE allowed_actions END,
              dry_run = COALESCE($9, dry_run)
        WHERE id = $1 RETURNING *`,
      [
        id,
        changes.name ?? null,
        changes.unmatched_events ?? null,
        threshold !== undefined,
        threshold ?? null,
        changes.timezone ?? null,
        changes.allowed_actions !== undefined,
        changes.allowed_actions == null ? null : JSON.stringify(changes.allowed_actions),
        changes.dry_run ?? null,
      ],
    );
    return row === undefined ? null : toTenant(row);
  }

  setDeadLetterAlert(tenantId: string, above: boolean, facts?: ReadonlyArray<AppendInput>): Promise<boolean> {
    return this.#db.transaction(async (tx) => {
      const rows = await tx.query(
        `UPDATE tenants SET dead_letter_alerting = $2 WHERE id = $1 AND dead_letter_alerting <> $2 RETURNING id`,
        [tenantId, above],
      );
      if (rows.length === 0) return false;
      await appendFacts(tx, facts, this.#now());
      return true;
    });
  }

  async createWorkspace(tenantId: string, name: string): Promise<Workspace> {
    const [row] = await this.#db.query(
      'INSERT INTO workspaces (id, tenant_id, name) VALUES ($1, $2, $3) RETURNING *',
      [newId('workspace'), tenantId, name],
    );
    return toWorkspace(row as Row);
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
    return toApiKey(row as Row);
  }

  async findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.#db.query('SELECT * FROM api_keys WHERE hash = $1 AND revoked_at IS NULL', [
      hash,
    ]);
    return row === undefined ? null : toApiKey(row);
  }
}
