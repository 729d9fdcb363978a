/** A tenant: the unit of isolation. `reseller_id` null = direct. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly reseller_id: string | null;
  /** What the router does with a live envelope that matches none of the tenant's triggers. */
  readonly unmatched_events: UnmatchedEvents;
  /** Pending dead letters above which a `dead_letters.threshold_crossed` event is published; null: no alert. */
  readonly dead_letter_alert_threshold: number | null;
  /** IANA time zone: business hours of poll streams and cron schedules are read in it; default `UTC`. */
  readonly timezone: string;
  /**
   * The action kinds the tenant's triggers and operators' plans may use: `http`,
   * `connector:<connector>.<action>`, `handler:<operator>`, each of which may end in `*` (`connector:*`,
   * `*`). Null: the server's default (`SLUICE_ALLOWED_ACTIONS`).
   */
  readonly allowed_actions: ReadonlyArray<string> | null;
  /** True: actions are planned and recorded as the job's result, and nothing is sent or run. */
  readonly dry_run: boolean;
  readonly created_at: string;
}

/** `drop`: counted and dropped (the default); `dead_letter`: kept as a dead letter for inspection. */
export type UnmatchedEvents = 'drop' | 'dead_letter';

export interface Workspace {
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly created_at: string;
}

export type ConnectionStatus = 'active' | 'retired';

/** A connection's own request rate on the ingest routes, instead of the server-wide default. */
export interface RateLimit {
  readonly per_second: number;
  readonly burst: number;
}

/**
 * A tenant's instance of a connector. It — never a request body — decides tenant, reseller and
 * workspace of everything it ingests. Secrets are held separately and never appear here.
 */
export interface Connection {
  readonly id: string;
  readonly tenant_id: string;
  readonly reseller_id: string | null;
  readonly workspace_id: string | null;
  readonly connector_id: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly status: ConnectionStatus;
  /** Null: the server-wide default rate applies. */
  readonly rate_limit: RateLimit | null;
  readonly created_at: string;
  readonly retired_at: string | null;
}

/** An encrypted signing secret of a connection; several may verify during a rotation overlap. */
export interface ConnectionSecret {
  readonly id: string;
  readonly connection_id: string;
  /** AES-256-GCM ciphertext (`v1:<iv>:<tag>:<data>`, base64). Never the plaintext. */
  readonly ciphertext: string;
  readonly created_at: string;
  /** Null while current; set when rotated out — it still verifies until then. */
  readonly expires_at: string | null;
}

/** A tenant API key. Only the SHA-256 hash of the key is stored. */
export interface ApiKeyRecord {
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  /** The first characters of the key, to recognise it in a list. */
  readonly prefix: string;
  readonly created_at: string;
  readonly revoked_at: string | null;
}
