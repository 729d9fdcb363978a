import type { SecretBox } from '@sluice/control';
import { type Connection, CRON_CONNECTOR_ID, newId, type Stores } from '@sluice/core';

/**
 * Each tenant's connection of the built-in `cron` source, created on first use (its ticks are written on
 * it). Cached per tenant; a race between processes leaves the first one made.
 */
export class CronConnections {
  readonly #stores: Pick<Stores, 'connections'>;
  readonly #secretBox: SecretBox;
  readonly #cache = new Map<string, Promise<Connection>>();

  constructor(stores: Pick<Stores, 'connections'>, secretBox: SecretBox) {
    this.#stores = stores;
    this.#secretBox = secretBox;
  }

  of(tenantId: string): Promise<Connection> {
    let pending = this.#cache.get(tenantId);
    if (pending === undefined) {
      pending = this.#findOrCreate(tenantId);
      pending.catch(() => this.#cache.delete(tenantId));
      this.#cache.set(tenantId, pending);
    }
    return pending;
  }

  async #find(tenantId: string): Promise<Connection | undefined> {
    const [found] = await this.#stores.connections.list(tenantId, {
      connector_id: CRON_CONNECTOR_ID,
      status: 'active',
    });
    return found;
  }

  async #findOrCreate(tenantId: string): Promise<Connection> {
    const existing = await this.#find(tenantId);
    if (existing !== undefined) return existing;
    const id = newId('connection');
    try {
      return await this.#stores.connections.create({
        id,
        tenant_id: tenantId,
        workspace_id: null,
        connector_id: CRON_CONNECTOR_ID,
        name: 'Cron schedules',
        config: {},
        secret_ciphertext: this.#secretBox.seal(newId('secret'), id),
      });
    } catch (error) {
      const raced = await this.#find(tenantId);
      if (raced !== undefined) return raced;
      throw error;
    }
  }
}
