import type { DeadLetter, DeadLetterStatus } from './dead-letter.ts';
import type { Envelope, EnvelopeMode } from './envelope.ts';
import type { ApiKeyRecord, Connection, ConnectionSecret, RateLimit, Tenant, Workspace } from './tenancy.ts';

/** An envelope ready to be written: everything but the id, which the store assigns in commit order. */
export type PreparedEnvelope = Omit<Envelope, 'event_id'>;

export interface AppendInput {
  /** The writing connection; its tenant must own it (checked in the transaction). */
  readonly connection: Pick<Connection, 'id' | 'tenant_id'>;
  /** In emission order; written atomically. */
  readonly envelopes: ReadonlyArray<PreparedEnvelope>;
  /** How long a dedupe key blocks a repeat, in ms. */
  readonly dedupeWindowMs: number;
  /** Replay protection: a key (e.g. a signature) that may be used once until `expiresAt`. */
  readonly replay?: { readonly key: string; readonly expiresAt: Date };
}

export type AppendOutcome =
  | { readonly status: 'accepted'; readonly event_id: string; readonly sequence: number }
  | { readonly status: 'duplicate'; readonly event_id: string };

export type AppendResult =
  | { readonly status: 'committed'; readonly outcomes: ReadonlyArray<AppendOutcome> }
  | { readonly status: 'replayed' };

export interface EnvelopeFilter {
  /** Glob over event types: `order.*`, `*.created`, `order.created`. */
  readonly event_type?: string;
  /** An entity key `kind:id`. */
  readonly entity?: string;
  readonly source?: string;
  readonly connection_id?: string;
  readonly stream?: string;
  readonly mode?: EnvelopeMode;
  /** `received_at >= since` (ISO 8601). */
  readonly since?: string;
  /** `received_at < until` (ISO 8601). */
  readonly until?: string;
}

export interface PageRequest {
  /** Exclusive: the event id the previous page ended with. */
  readonly after?: string;
  readonly limit: number;
  readonly order?: 'asc' | 'desc';
}

export interface Page<T> {
  readonly items: ReadonlyArray<T>;
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/** An outbox row: what the relay will move onto the bus, per connection in sequence order. */
export interface OutboxEntry {
  readonly id: number;
  readonly event_id: string;
  readonly tenant_id: string;
  readonly connection_id: string;
  readonly sequence: number;
  readonly relayed_at: string | null;
}

/** What one housekeeping pass removed or expired. */
export interface SweepResult {
  readonly dedupe_keys: number;
  readonly webhook_replays: number;
  readonly dead_letters_expired: number;
}

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

export interface NewDeadLetter {
  readonly tenant_id: string;
  readonly connector: string;
  readonly connection_id: string | null;
  readonly event_payload: DeadLetter['event_payload'];
  readonly error_message: string;
  readonly error_context: Readonly<Record<string, unknown>>;
}

/**
 * The system of record. Every read and write is scoped by tenant. Two adapters (embedded PGlite and
 * PostgreSQL) share one schema, one set of migrations and one contract suite.
 */
export interface Store {
  /** Applies pending migrations; safe to run again and from several processes at once. */
  migrate(): Promise<{ readonly applied: ReadonlyArray<string> }>;
  /** Throws `storage_unavailable` when the database does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;

  createTenant(input: {
    readonly name: string;
    readonly reseller_id?: string | null;
    readonly id?: string;
  }): Promise<Tenant>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(): Promise<ReadonlyArray<Tenant>>;
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

  createConnection(input: NewConnection): Promise<Connection>;
  getConnection(tenantId: string, id: string): Promise<Connection | null>;
  /** For the per-connection ingest URL, where the id is the credential: unscoped by design. */
  findConnectionForIngest(id: string): Promise<Connection | null>;
  listConnections(
    tenantId: string,
    filter?: { readonly connector_id?: string; readonly status?: Connection['status'] },
  ): Promise<ReadonlyArray<Connection>>;
  /** Renames a connection or sets its rate limit (null: back to the default); null when not found. */
  updateConnection(
    tenantId: string,
    id: string,
    changes: { readonly name?: string; readonly rate_limit?: RateLimit | null },
  ): Promise<Connection | null>;
  retireConnection(tenantId: string, id: string): Promise<Connection | null>;
  /** Secrets that verify now: the current one and any still in their overlap window. */
  liveSecrets(tenantId: string, connectionId: string, now: Date): Promise<ReadonlyArray<ConnectionSecret>>;
  /** Adds a new current secret; the previous current one keeps verifying until `overlapUntil`. */
  rotateSecret(
    tenantId: string,
    connectionId: string,
    ciphertext: string,
    overlapUntil: Date,
  ): Promise<ConnectionSecret>;

  /** Dedupe, envelopes and outbox in one transaction. */
  append(input: AppendInput): Promise<AppendResult>;
  getEnvelope(tenantId: string, eventId: string): Promise<Envelope | null>;
  queryEnvelopes(tenantId: string, filter: EnvelopeFilter, page: PageRequest): Promise<Page<Envelope>>;
  /** Outbox rows of a connection in sequence order (the relay's view). */
  readOutbox(
    tenantId: string,
    connectionId: string,
    afterSequence: number,
    limit: number,
  ): Promise<ReadonlyArray<OutboxEntry>>;

  createDeadLetter(input: NewDeadLetter): Promise<DeadLetter>;
  getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null>;
  listDeadLetters(
    tenantId: string,
    filter: { readonly status?: DeadLetterStatus },
    page: PageRequest,
  ): Promise<Page<DeadLetter>>;
  /** Counts a replay attempt and sets the status it ended in. */
  /**
   * Housekeeping: deletes up to `limit` dedupe keys and replay keys that expired by `now`, and marks pending
   * dead letters created before `deadLettersBefore` as expired. Safe to run from several processes at once.
   */
  sweepExpired(now: Date, deadLettersBefore: Date, limit: number): Promise<SweepResult>;
  /** Deletes a dead letter for good (purge); false when the tenant has no such dead letter. */
  deleteDeadLetter(tenantId: string, id: string): Promise<boolean>;
  recordDeadLetterReplay(
    tenantId: string,
    id: string,
    status: DeadLetterStatus,
    error?: string,
  ): Promise<DeadLetter | null>;
}
