import { type Connection, type Connector, type Emission, newId, type Store } from '@sluice/core';
import type { Ingestor } from '@sluice/ingest';
import type { SecretBox } from './secret-box.ts';

/** The tenant that owns platform-wide events such as `provider.registered`. */
export const SYSTEM_TENANT_ID = 'ten_system';

export type PlatformEventType =
  | 'connection.established'
  | 'connection.retired'
  | 'credential.rotated'
  | 'integration.failed'
  | 'provider.registered'
  | 'webhook.dead_lettered';

export interface PlatformEvent {
  readonly event_type: PlatformEventType;
  readonly dedupe_key: string;
  readonly payload: Record<string, unknown>;
  readonly causation_id?: string;
}

/**
 * Publishes the platform's own facts (connection and credential lifecycle, failures, the connector catalog)
 * as envelopes, through each tenant's platform connection and the ordinary ingest path.
 */
export class PlatformEvents {
  readonly #store: Store;
  readonly #ingestor: Ingestor;
  readonly #connector: Connector;
  readonly #secretBox: SecretBox;
  readonly #connections = new Map<string, Promise<Connection>>();

  constructor(deps: { store: Store; ingestor: Ingestor; connector: Connector; secretBox: SecretBox }) {
    this.#store = deps.store;
    this.#ingestor = deps.ingestor;
    this.#connector = deps.connector;
    this.#secretBox = deps.secretBox;
  }

  get connectorId(): string {
    return this.#connector.id;
  }

  /** Creates the system tenant if it does not exist yet. */
  async ensureSystemTenant(): Promise<void> {
    if ((await this.#store.getTenant(SYSTEM_TENANT_ID)) !== null) return;
    try {
      await this.#store.createTenant({ id: SYSTEM_TENANT_ID, name: 'Sluice system' });
    } catch (error) {
      // Another process created it first.
      if ((await this.#store.getTenant(SYSTEM_TENANT_ID)) === null) throw error;
    }
  }

  async emit(tenantId: string, event: PlatformEvent): Promise<string | undefined> {
    const connection = await this.#platformConnection(tenantId);
    const emission: Emission = {
      source: this.#connector.id,
      event_type: event.event_type,
      dedupe_key: event.dedupe_key,
      payload: event.payload,
      ...(event.causation_id === undefined ? {} : { causation_id: event.causation_id }),
    };
    const result = await this.#ingestor.ingest(connection, [emission]);
    return result.status === 'committed' ? result.results[0]?.event_id : undefined;
  }

  #platformConnection(tenantId: string): Promise<Connection> {
    let pending = this.#connections.get(tenantId);
    if (pending === undefined) {
      pending = this.#findOrCreate(tenantId);
      pending.catch(() => this.#connections.delete(tenantId));
      this.#connections.set(tenantId, pending);
    }
    return pending;
  }

  async #findOrCreate(tenantId: string): Promise<Connection> {
    const [existing] = await this.#store.listConnections(tenantId, {
      connector_id: this.#connector.id,
      status: 'active',
    });
    if (existing !== undefined) return existing;
    const id = newId('connection');
    // The platform connection receives nothing from outside; its secret exists only because every connection has one.
    const secret = this.#secretBox.seal(newId('connection'), id);
    return this.#store.createConnection({
      id,
      tenant_id: tenantId,
      workspace_id: null,
      connector_id: this.#connector.id,
      name: 'Sluice platform events',
      config: {},
      secret_ciphertext: secret,
    });
  }
}
