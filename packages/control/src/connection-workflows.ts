import {
  type Connection,
  type ConnectionChanges,
  type Connector,
  CRON_CONNECTOR_ID,
  newId,
  PLATFORM_CONNECTOR_ID,
  platformDedupeKey,
  type RateLimit,
  SluiceError,
} from '@sluice/core';
import { streamsConfigProblems } from '@sluice/receive';
import { generateSecret } from '@sluice/signatures';
import { openConfig, sealConfig } from './connection-config.ts';
import type { ControlDeps } from './control-deps.ts';

export interface CreateConnection {
  readonly tenant_id: string;
  readonly connector_id: string;
  readonly name?: string;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly workspace_id?: string | null;
  /** The provider's own signing secret; generated when absent. */
  readonly secret?: string;
  readonly rate_limit?: RateLimit | null;
}

/**
 * Connection lifecycle: create, change, retire, rotate the secret, test. Each state change and the
 * platform event that reports it commit in one transaction; other processes hear of it through the
 * change feed.
 */
export class ConnectionWorkflows {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  /** A registered source connector; the platform's own connector counts as not registered. */
  sourceConnector(id: string): Connector {
    const connector = this.#deps.connectors.get(id);
    if (connector === null || connector.id === PLATFORM_CONNECTOR_ID || connector.id === CRON_CONNECTOR_ID) {
      throw new SluiceError('connector_not_found', this.#deps.connectors.notFound(id));
    }
    return connector;
  }

  /** One of the tenant's own connections; the platform's internal connection counts as not found. */
  async get(tenantId: string, id: string): Promise<Connection> {
    const connection = await this.#deps.stores.connections.get(tenantId, id);
    if (connection === null || connection.connector_id === PLATFORM_CONNECTOR_ID) {
      throw new SluiceError('connection_not_found', `Connection "${id}" does not exist.`);
    }
    return connection;
  }

  async list(
    tenantId: string,
    filter: { readonly connector_id?: string; readonly status?: Connection['status'] } = {},
  ): Promise<ReadonlyArray<Connection>> {
    const all = await this.#deps.stores.connections.list(tenantId, filter);
    return all.filter((c) => c.connector_id !== PLATFORM_CONNECTOR_ID);
  }

  /** The new connection, and its signing secret when it was generated here (shown once). */
  async create(input: CreateConnection): Promise<{ connection: Connection; secret?: string }> {
    const { stores, secretBox, platform } = this.#deps;
    const connector = this.sourceConnector(input.connector_id);
    const tenant = await stores.tenancy.getTenant(input.tenant_id);
    const problems = streamsConfigProblems(connector, input.config ?? {}, tenant?.timezone ?? 'UTC');
    if (problems.length > 0) {
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
      throw new SluiceError(
        'connection_config_invalid',
        `The connection config is invalid: ${problems[0]?.message}${more}.`,
        { details: { problems } },
      );
    }
    const secret = input.secret ?? generateSecret(connector.webhook?.verify.scheme ?? 'hmac-sha256');
    const id = newId('connection');
    const entity = { kind: 'connection', id };
    const name = input.name ?? connector.id;
    const fact = await platform.fact(input.tenant_id, {
      event_type: 'connection.established',
      entity,
      dedupe_key: platformDedupeKey(entity, 'established'),
      payload: { connector_id: connector.id, name },
    });
    const connection = await stores.connections.create(
      {
        id,
        tenant_id: input.tenant_id,
        workspace_id: input.workspace_id ?? null,
        connector_id: connector.id,
        name,
        config: sealConfig(secretBox, connector, id, input.config ?? {}),
        secret_ciphertext: secretBox.seal(secret, id),
        rate_limit: input.rate_limit ?? null,
      },
      [fact],
    );
    await this.#deps.streams?.connectionCreated(connection, connector);
    await this.#changed(connection);
    return { connection, ...(input.secret === undefined ? { secret } : {}) };
  }

  async update(tenantId: string, id: string, changes: ConnectionChanges): Promise<Connection> {
    const connection = await this.get(tenantId, id);
    const updated = await this.#deps.stores.connections.update(tenantId, connection.id, changes);
    if (updated === null) throw new SluiceError('connection_not_found', `Connection "${id}" does not exist.`);
    await this.#changed(updated);
    return updated;
  }

  /** Retires a connection; `connection.retired` is published once, by the call that retired it. */
  async retire(tenantId: string, id: string): Promise<Connection> {
    const connection = await this.get(tenantId, id);
    const entity = { kind: 'connection', id: connection.id };
    const fact = await this.#deps.platform.fact(tenantId, {
      event_type: 'connection.retired',
      entity,
      dedupe_key: platformDedupeKey(entity, 'retired'),
      payload: { connector_id: connection.connector_id },
    });
    const retired = await this.#deps.stores.connections.retire(tenantId, connection.id, () => [fact]);
    if (retired === null) throw new SluiceError('connection_not_found', `Connection "${id}" does not exist.`);
    await this.#deps.streams?.connectionRetired(retired);
    await this.#changed(retired);
    return retired;
  }

  /**
   * A new current secret; the previous one keeps verifying until `overlapSeconds` from now. Returns the
   * secret when it was generated here (shown once).
   */
  async rotateSecret(
    tenantId: string,
    id: string,
    options: { readonly secret?: string; readonly overlapSeconds?: number } = {},
  ): Promise<{ connection_id: string; previous_secret_expires_at: string; secret?: string }> {
    const { stores, secretBox, platform, now } = this.#deps;
    const connection = await this.get(tenantId, id);
    if (connection.status !== 'active') {
      throw new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`);
    }
    const connector = this.sourceConnector(connection.connector_id);
    const secret = options.secret ?? generateSecret(connector.webhook?.verify.scheme ?? 'hmac-sha256');
    const overlapUntil = new Date(now().getTime() + (options.overlapSeconds ?? 24 * 3600) * 1000);
    const secretId = newId('secret');
    const entity = { kind: 'connection', id: connection.id };
    const fact = await platform.fact(tenantId, {
      event_type: 'credential.rotated',
      entity,
      dedupe_key: platformDedupeKey(entity, 'credential_rotated', secretId),
      payload: { previous_expires_at: overlapUntil.toISOString() },
    });
    await stores.connections.rotateSecret(
      tenantId,
      connection.id,
      { id: secretId, ciphertext: secretBox.seal(secret, connection.id) },
      overlapUntil,
      [fact],
    );
    await this.#deps.changes.publish({ kind: 'secret', tenant_id: tenantId, id: connection.id });
    return {
      connection_id: connection.id,
      previous_secret_expires_at: overlapUntil.toISOString(),
      ...(options.secret === undefined ? { secret } : {}),
    };
  }

  /** Runs the connector's health probe; a failure is published as `integration.failed`. */
  async test(
    tenantId: string,
    id: string,
  ): Promise<{ connection_id: string; ok: boolean; message: string | null }> {
    const { secretBox, platform, now } = this.#deps;
    const connection = await this.get(tenantId, id);
    const connector = this.sourceConnector(connection.connector_id);
    let result: { ok: boolean; message?: string };
    if (connector.probe === null) {
      result = { ok: true, message: 'The connector has no health probe.' };
    } else {
      try {
        result = await connector.probe(openConfig(secretBox, connection.id, connection.config), {
          fetch: this.#deps.fetch ?? globalThis.fetch,
        });
      } catch (error) {
        result = { ok: false, message: error instanceof Error ? error.message : String(error) };
      }
    }
    if (!result.ok) {
      // A failed probe changes no state: the fact is its own transaction.
      const entity = { kind: 'connection', id: connection.id };
      await platform.emit(tenantId, {
        event_type: 'integration.failed',
        entity,
        dedupe_key: platformDedupeKey(entity, 'probe_failed', String(now().getTime())),
        payload: { operation: 'health_probe', message: result.message ?? 'probe failed' },
      });
    }
    return { connection_id: connection.id, ok: result.ok, message: result.message ?? null };
  }

  #changed(connection: Connection): Promise<void> {
    return this.#deps.changes.publish({
      kind: 'connection',
      tenant_id: connection.tenant_id,
      id: connection.id,
    });
  }
}
