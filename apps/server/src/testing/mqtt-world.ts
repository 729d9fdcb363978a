import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Envelope } from '@sluice/core';
import type { MqttGateway } from '@sluice/receive';
import mqtt, { type MqttClient } from 'mqtt';
import { createMqttGateway, type MqttGatewayServiceOptions } from '../services/mqtt-gateway-service.ts';
import { startTestApp, type TestApp } from './test-app.ts';

/** A test app whose gateway may reach loopback brokers, and a tenant to make mqtt connections in. */
export interface MqttWorld {
  readonly app: TestApp;
  readonly tenantId: string;
  readonly auth: { authorization: string };
  /** A fresh topic prefix: tests on the shared broker never see each other's messages. */
  prefix(): string;
  /** Creates an mqtt connection through the API (its change notification reaches a running gateway). */
  connect(brokerUrl: string, prefix: string, config?: Record<string, unknown>): Promise<string>;
  gateway(options?: MqttGatewayServiceOptions): MqttGateway;
  /** Waits until a gateway's session of the connection has its subscriptions granted. */
  subscribed(connectionId: string): Promise<void>;
  /** The tenant's `reading.recorded` envelopes. */
  readings(): Promise<ReadonlyArray<Envelope>>;
  /** Waits until `count` readings are stored (or fails after `timeoutMs`), then a little longer for strays. */
  awaitReadings(count: number, timeoutMs?: number): Promise<ReadonlyArray<Envelope>>;
  close(): Promise<void>;
}

export const FAST_BACKOFF = { baseMs: 50, maxMs: 400 };

/** The topic of one reading under the default template, below `prefix`. */
export const readingTopic = (prefix: string, zone: number | string, measurement = 'temperature') =>
  `${prefix}/sites/hq/gateways/bacnet-gw-7/zones/${zone}/${measurement}`;

/** A publisher with its own persistent session, waiting until it is connected. */
export async function publisher(url: string, options: mqtt.IClientOptions = {}): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    clientId: `pub-${randomBytes(6).toString('hex')}`,
    clean: false,
    reconnectPeriod: 50,
    ...options,
  });
  client.on('error', () => undefined);
  if (!client.connected) await new Promise((resolve) => client.once('connect', resolve));
  return client;
}

export async function mqttWorld(): Promise<MqttWorld> {
  const app = await startTestApp({ env: { SLUICE_ALLOW_PRIVATE_TARGETS: '1' } });
  const { tenant, auth } = await app.tenant('Gateways');
  const gateways: MqttGateway[] = [];
  const subscribed = new Set<string>();
  const readings = async () => {
    const page = await app.store.events.query(tenant.id, { event_type: 'reading.recorded' }, { limit: 1000 });
    return page.items;
  };
  return {
    app,
    tenantId: tenant.id,
    auth,
    prefix: () => `t-${randomBytes(5).toString('hex')}`,
    async connect(brokerUrl, prefix, config = {}) {
      const response = await app.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: {
          connector_id: 'mqtt',
          name: `gateways ${prefix}`,
          config: {
            broker_url: brokerUrl,
            topics: [`${prefix}/#`],
            qos: 1,
            topic_template: `${prefix}/sites/{site}/gateways/{gateway}/zones/{zone}/{measurement}`,
            ...config,
          },
        },
      });
      assert.equal(response.statusCode, 201, response.body);
      return (response.json() as { connection: { id: string } }).connection.id;
    },
    gateway(options = {}) {
      const events = options.sessionEvents;
      const gateway = createMqttGateway(app.ctx, {
        backoff: FAST_BACKOFF,
        reloadIntervalMs: 0,
        ...options,
        sessionEvents: (connectionId) => {
          const given = events?.(connectionId) ?? {};
          return {
            ...given,
            onSubscribed: () => {
              subscribed.add(connectionId);
              given.onSubscribed?.();
            },
          };
        },
      });
      gateways.push(gateway);
      return gateway;
    },
    subscribed: (connectionId) => until('the subscription', () => subscribed.has(connectionId)),
    readings,
    async awaitReadings(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let items = await readings();
      while (items.length < count && Date.now() < deadline) {
        await sleep(50);
        items = await readings();
      }
      await sleep(300);
      return readings();
    },
    async close() {
      for (const gateway of gateways) await gateway.stop();
      await app.close();
    },
  };
}

/** Waits until `check` holds, polling, or fails naming `what`. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
