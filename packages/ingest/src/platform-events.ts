import {
  type AppendInput,
  type Connection,
  type ConnectionStore,
  newId,
  PLATFORM_CONNECTOR_ID,
  type PlatformEventInput,
  platformEmission,
  SYSTEM_TENANT_ID,
  type TenancyStore,
} from '@sluice/core';
import type { Ingestor } from './ingestor.ts';

export interface PlatformEventsDeps {
  readonly tenancy: Pick<TenancyStore, 'getTenant' | 'createTenant'>;
  readonly connections: Pick<ConnectionStore, 'create' | 'list'>;
  readonly ingestor: Pick<Ingestor, 'ingest' | 'prepare'>;
  /** Seals a secret to a connection id (every connection has one, the platform's own included). */
  readonly sealSecret: (plaintext: string, connectionId: string) => string;
}

/**
 * The platform's own facts as envelopes on each tenant's platform connection. `fact` prepares one to
 * commit inside the transaction of the change it reports (the store ports take such facts); `emit`
 * ingests one on its own, for facts that change no other state (a failed probe, a registered provider).
 */
export class PlatformEvents {
  readonly #deps: PlatformEventsDeps;
  readonly #connections = new Map<string, Promise<Connection>>();
  #systemTenant: Promise<void> | undefined;

  constructor(deps: PlatformEventsDeps) {
    this.#deps = deps;
  }

  /** A platform event ready to be appended with its change. */
  async fact(tenantId: string, event: PlatformEventInput): Promise<AppendInput> {
    const connection = await this.connection(tenantId);
    const prepared = this.#deps.ingestor.prepare(connection, [platformEmission(event)]);
    if (!prepared.ok) {
      throw new Error(`platform event ${event.event_type} is invalid: ${prepared.rejection.message}`);
    }
    return prepared.input;
  }

  /** Ingests a platform event on its own; the event id, or the id of the one it duplicates. */
  async emit(tenantId: string, event: PlatformEventInput): Promise<string | undefined> {
    const connection = await this.connection(tenantId);
    const result = await this.#deps.ingestor.ingest(connection, [platformEmission(event)]);
    if (result.status === 'rejected') {
      throw new Error(`platform event ${event.event_type} is invalid: ${result.rejection.message}`);
    }
    return result.status === 'committed' ? result.results[0]?.event_id : undefined;
  }

  /**
   * Creates the system tenant if it does not exist yet. Calls while one is under way share it (a start
   * registers providers and API clients side by side), and a failed one is tried afresh by the next call.
   */
  ensureSystemTenant(): Promise<void> {
    if (this.#systemTenant === undefined) {
      const ensuring = this.#ensureSystemTenant();
      this.#systemTenant = ensuring;
      ensuring.catch(() => {
        if (this.#systemTenant === ensuring) this.#systemTenant = undefined;
      });
    }
    return this.#systemTenant;
  }

  async #ensureSystemTenant(): Promise<void> {
    const { tenancy } = this.#deps;
    if ((await tenancy.getTenant(SYSTEM_TENANT_ID)) !== null) return;
    try {
      await tenancy.createTenant({ id: SYSTEM_TENANT_ID, name: 'Sluice system' });
    } catch (error) {
      // Another process created it first.
      if ((await tenancy.getTenant(SYSTEM_TENANT_ID)) === null) throw error;
    }
  }

  /** The tenant's platform connection, created on first use (one per tenant, however many processes race). */
  connection(tenantId: string): Promise<Connection> {
    let pending = this.#connections.get(tenantId);
    if (pending === undefined) {
      pending = this.#findOrCreate(tenantId);
      pending.catch(() => this.#connections.delete(tenantId));
      this.#connections.set(tenantId, pending);
    }
    return pending;
  }

  async #find(tenantId: string): Promise<Connection | undefined> {
    const [existing] = await this.#deps.connections.list(tenantId, {
      connector_id: PLATFORM_CONNECTOR_ID,
      status: 'active',
    });
    return existing;
  }

  async #findOrCreate(tenantId: string): Promise<Connection> {
    const existing = await this.#find(tenantId);
    if (existing !== undefined) return existing;
    const id = newId('connection');
    try {
      // It receives nothing from outside; its secret exists only because every connection has one.
      return await this.#deps.connections.create({
        id,
        tenant_id: tenantId,
        workspace_id: null,
        connector_id: PLATFORM_CONNECTOR_ID,
        name: 'Sluice platform events',
        config: {},
        secret_ciphertext: this.#deps.sealSecret(newId('secret'), id),
      });
    } catch (error) {
      // A unique index allows one per tenant: another process made it first.
      const raced = await this.#find(tenantId);
      if (raced !== undefined) return raced;
      throw error;
    }
  }
}
