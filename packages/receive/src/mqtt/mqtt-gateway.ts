import type { ChangeFeed, Connection, ConnectionStore, Connector, TenancyStore } from '@sluice/core';
import { type Backoff, DEFAULT_BACKOFF } from './backoff.ts';
import { brokerTargetRefusal } from './broker-target.ts';
import { type MessageSinkDeps, messageDelivery, sinkMessage } from './mqtt-message-sink.ts';
import { MqttSession, type SessionEvents } from './mqtt-session.ts';
import { sessionConfigOf } from './mqtt-session-config.ts';

/** What the gateway tells its operator about: a connection it cannot run, a session's ups and downs. */
export interface GatewayLog {
  warn(fields: Readonly<Record<string, unknown>>, message: string): void;
  info?(fields: Readonly<Record<string, unknown>>, message: string): void;
}

export interface MqttGatewayDeps extends MessageSinkDeps {
  readonly tenancy: Pick<TenancyStore, 'listTenants'>;
  readonly connections: Pick<ConnectionStore, 'list'>;
  /** The `mqtt` connector (or another subscribe connector whose mapping reads broker messages). */
  readonly connector: Connector;
  /** The connection's config as the mapping sees it (sealed credentials opened); its stored config if absent. */
  configOf?(connection: Connection): Readonly<Record<string, unknown>>;
  /** Connection changes reload the sessions at once; the periodic reload is the fallback. */
  readonly changes?: Pick<ChangeFeed, 'subscribe'>;
  /** Between fallback reloads, in ms; 0 turns the timer off. Default 30 s. */
  readonly reloadIntervalMs?: number;
  readonly backoff?: Backoff;
  /** Brokers on loopback or private addresses (on-premises gateways, tests). */
  readonly allowPrivateTargets?: boolean;
  /** Prefix of every session's client id; the connection id follows. */
  readonly clientIdPrefix?: string;
  readonly log?: GatewayLog;
  /** Told of each session's connects and drops (tests, metrics). */
  readonly sessionEvents?: (connectionId: string) => SessionEvents;
}

interface Running {
  readonly fingerprint: string;
  readonly session: MqttSession;
}

/**
 * The MQTT stage worker: one persistent broker session per active connection of its connector, each
 * message mapped and ingested like a webhook delivery and acknowledged only after it committed. The
 * sessions follow the connections: loaded at start, reloaded on connection changes and every
 * `reloadIntervalMs`; a changed config restarts its session, a retired connection stops it.
 */
export class MqttGateway {
  readonly #deps: MqttGatewayDeps;
  readonly #running = new Map<string, Running>();
  #unsubscribe: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reloading: Promise<void> | undefined;
  #again = false;
  #started = false;

  constructor(deps: MqttGatewayDeps) {
    this.#deps = deps;
  }

  /** Starts a session for every active connection, and follows changes from then on. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.#deps.changes?.subscribe((change) => {
      if (change.kind === 'connection' || change.kind === 'secret') this.#reloadInBackground();
    });
    const interval = this.#deps.reloadIntervalMs ?? 30_000;
    if (interval > 0) {
      this.#timer = setInterval(() => this.#reloadInBackground(), interval);
      this.#timer.unref();
    }
    await this.reload();
  }

  /** Stops following changes and closes every session gracefully (each stays on the broker). */
  async stop(): Promise<void> {
    this.#started = false;
    this.#unsubscribe?.();
    clearInterval(this.#timer);
    await this.#reloading?.catch(() => undefined);
    const sessions = [...this.#running.values()].map((running) => running.session.stop());
    this.#running.clear();
    await Promise.allSettled(sessions);
  }

  /** The connection ids with a session now. */
  get sessions(): ReadonlyArray<string> {
    return [...this.#running.keys()];
  }

  /** Brings the sessions in line with the active connections; concurrent calls share one pass. */
  reload(): Promise<void> {
    if (this.#reloading !== undefined) {
      this.#again = true;
      return this.#reloading;
    }
    this.#reloading = this.#pass().finally(() => {
      this.#reloading = undefined;
      if (this.#again && this.#started) {
        this.#again = false;
        this.#reloadInBackground();
      }
    });
    return this.#reloading;
  }

  #reloadInBackground(): void {
    this.reload().catch((error: unknown) =>
      this.#deps.log?.warn({ error: String(error) }, 'mqtt reload failed'),
    );
  }

  async #pass(): Promise<void> {
    const wanted = new Map<string, Connection>();
    for (const tenant of await this.#deps.tenancy.listTenants()) {
      const connections = await this.#deps.connections.list(tenant.id, {
        connector_id: this.#deps.connector.id,
        status: 'active',
      });
      for (const connection of connections) wanted.set(connection.id, connection);
    }
    for (const [id, running] of this.#running) {
      const connection = wanted.get(id);
      if (connection === undefined || this.#fingerprint(connection) !== running.fingerprint) {
        this.#running.delete(id);
        await running.session.stop();
      }
    }
    for (const connection of wanted.values()) {
      if (!this.#started) return;
      if (this.#running.has(connection.id)) continue;
      const session = await this.#open(connection);
      if (session !== null) {
        this.#running.set(connection.id, { fingerprint: this.#fingerprint(connection), session });
      }
    }
  }

  #configOf(connection: Connection): Readonly<Record<string, unknown>> {
    return this.#deps.configOf?.(connection) ?? connection.config;
  }

  #fingerprint(connection: Connection): string {
    return JSON.stringify(connection.config);
  }

  async #open(connection: Connection): Promise<MqttSession | null> {
    const config = this.#configOf(connection);
    const session = sessionConfigOf(config);
    const fields = { connection_id: connection.id, tenant_id: connection.tenant_id };
    if (!session.ok) {
      this.#deps.log?.warn({ ...fields, problem: session.message }, 'mqtt connection not started');
      return null;
    }
    const refusal = await brokerTargetRefusal(session.value.host, this.#deps.allowPrivateTargets ?? false);
    if (refusal !== null) {
      this.#deps.log?.warn({ ...fields, problem: refusal }, 'mqtt connection not started');
      return null;
    }
    const { connector } = this.#deps;
    return new MqttSession({
      clientId: `${this.#deps.clientIdPrefix ?? 'sluice-'}${connection.id}`,
      config: session.value,
      backoff: this.#deps.backoff ?? DEFAULT_BACKOFF,
      events: this.#deps.sessionEvents?.(connection.id) ?? {
        onError: (error) => this.#deps.log?.warn({ ...fields, error: error.message }, 'mqtt session error'),
      },
      handle: async (topic, payload, qos) => {
        const outcome = await sinkMessage(
          this.#deps,
          connector,
          connection,
          config,
          messageDelivery(topic, payload, qos),
        );
        if (outcome.kind === 'failed') {
          this.#deps.log?.warn(
            { ...fields, topic, error: String(outcome.error) },
            'mqtt message not committed',
          );
        }
        return outcome.kind !== 'failed';
      },
    });
  }
}
