import type { Connection, ConnectionSecret, RateLimit } from '../tenancy.ts';
import type { AppendInput } from './event-log-port.ts';

export interface NewConnection {
  /** Chosen by the caller when it must seal the secret to the id; generated otherwise. */
  readonly id?: string;
  readonly tenant_id: string;
  readonly workspace_id: string | null;
  readonly connector_id: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly secret_ciphertext: string;
  readonly rate_limit?: RateLimit | null;
}

export interface ConnectionChanges {
  readonly name?: string;
  /** Null: back to the server-wide default. */
  readonly rate_limit?: RateLimit | null;
}

/**
 * Connections and their signing secrets, scoped by tenant. Each change takes `facts`: the platform events
 * that report it, appended in the same transaction, so the change and its events commit together or not
 * at all.
 */
export interface ConnectionStore {
  create(input: NewConnection, facts?: ReadonlyArray<AppendInput>): Promise<Connection>;
  get(tenantId: string, id: string): Promise<Connection | null>;
  /** For the per-connection ingest URL, where the id is the credential: unscoped by design. */
  findForIngest(id: string): Promise<Connection | null>;
  list(
    tenantId: string,
    filter?: { readonly connector_id?: string; readonly status?: Connection['status'] },
  ): Promise<ReadonlyArray<Connection>>;
  /** Renames a connection or sets its rate limit; null when not found. */
  update(tenantId: string, id: string, changes: ConnectionChanges): Promise<Connection | null>;
  /** Null when not found. `facts` commit only when this call retired it (an already retired one is left). */
  retire(
    tenantId: string,
    id: string,
    facts?: (connection: Connection) => ReadonlyArray<AppendInput>,
  ): Promise<Connection | null>;
  /** Secrets that verify now: the current one and any still in their overlap window. */
  liveSecrets(tenantId: string, connectionId: string, now: Date): Promise<ReadonlyArray<ConnectionSecret>>;
  /** Adds a new current secret; the previous current one keeps verifying until `overlapUntil`. */
  rotateSecret(
    tenantId: string,
    connectionId: string,
    secret: { readonly id: string; readonly ciphertext: string },
    overlapUntil: Date,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<ConnectionSecret>;
}
