import { openConfig } from '@sluice/control';
import { type Backoff, type GatewayLog, MqttGateway } from '@sluice/receive';
import type { AppContext } from '../app-context.ts';

export interface MqttGatewayServiceOptions {
  /** The connector whose connections get a broker session; `mqtt` unless given. */
  readonly connectorId?: string;
  readonly reloadIntervalMs?: number;
  readonly backoff?: Backoff;
  readonly log?: GatewayLog;
  /** Forwarded to the gateway (tests watch the sessions' connects and drops). */
  readonly sessionEvents?: ConstructorParameters<typeof MqttGateway>[0]['sessionEvents'];
  /** Tries of one message's commit before it is left for the broker to resend (default 3). */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  /** The ingest step, for a test that makes the store fail; the context's ingestor otherwise. */
  readonly ingestor?: AppContext['ingestor'];
}

/**
 * The MQTT stage worker over the app's context: its store, ingestor, sealed configs, change feed and
 * dead-letter facts, so a broker message takes the webhook path from mapping to dead letter.
 */
export function createMqttGateway(ctx: AppContext, options: MqttGatewayServiceOptions = {}): MqttGateway {
  const connector = ctx.connectors.require(options.connectorId ?? 'mqtt');
  return new MqttGateway({
    tenancy: ctx.store.tenancy,
    connections: ctx.store.connections,
    deadLetters: ctx.store.deadLetters,
    ingestor: options.ingestor ?? ctx.ingestor,
    connector,
    configOf: (connection) => openConfig(ctx.secretBox, connection.id, connection.config),
    changes: ctx.changes,
    platformFact: (tenantId, event) => ctx.platform.fact(tenantId, event),
    onDeadLetter: (dead) => ctx.metrics.deadLetters.inc({ connector: dead.id }),
    allowPrivateTargets: ctx.config.allowPrivateTargets,
    ...(options.reloadIntervalMs === undefined ? {} : { reloadIntervalMs: options.reloadIntervalMs }),
    ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
    ...(options.log === undefined ? {} : { log: options.log }),
    ...(options.sessionEvents === undefined ? {} : { sessionEvents: options.sessionEvents }),
    ...(options.attempts === undefined ? {} : { attempts: options.attempts }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
}
