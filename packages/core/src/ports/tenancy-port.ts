import type { ApiKeyRecord, Tenant, Workspace } from '../tenancy.ts';
import type { AppendInput } from './event-log-port.ts';

/** What `updateTenant` may change; `dead_letter_alert_threshold: null` turns the alert off. */
export interface TenantChanges {
  readonly name?: string;
  readonly unmatched_events?: Tenant['unmatched_events'];
  readonly dead_letter_alert_threshold?: number | null;
  /** IANA time zone. */
  readonly timezone?: string;
  /** Null: back to the server's default. */
  readonly allowed_actions?: ReadonlyArray<string> | null;
  readonly dry_run?: boolean;
}

/** Tenants, their workspaces and API keys. Keys are stored as SHA-256 hashes only. */
export interface TenancyStore {
  createTenant(input: {
    readonly name: string;
    readonly reseller_id?: string | null;
    readonly id?: string;
  }): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(): Promise<ReadonlyArray<Tenant>>;
  /** Changes a tenant's settings; null when there is no such tenant. */
  updateTenant(id: string, changes: TenantChanges): Promise<Tenant | null>;
  /**
   * Sets whether the tenant's dead-letter depth is above its threshold, with `facts` in the same
   * transaction; false, and nothing written, when it already was so (another process said it first).
   */
  setDeadLetterAlert(tenantId: string, above: boolean, facts?: ReadonlyArray<AppendInput>): Promise<boolean>;
  createWorkspace(tenantId: string, name: string): Promise<Workspace>;
  getWorkspace(tenantId: string, id: string): Promise<Workspace | null>;
  createApiKey(input: {
    readonly tenant_id: string;
    readonly name: string;
    readonly prefix: string;
    readonly hash: string;
  }): Promise<ApiKeyRecord>;
  /** The live key whose SHA-256 hash is `hash`. */
  findApiKeyByHash(hash: string): Promise<ApiKeyRecord | null>;
}
