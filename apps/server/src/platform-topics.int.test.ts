import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUS_ADAPTERS, type TestBus } from '@sluice/bus-redis/testing';
import type { BusTopic, Consumer, DeliveredMessage } from '@sluice/core';
import { startReceiver, type TestReceiver } from '@sluice/execute/testing';
import type { StageWorkers } from './services/stage-workers.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import { testStageWorkers } from './testing/test-stage-workers.ts';

async function eventually(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The executor's receipts, end to end: a trigger delivers three events of one entity, and a subscriber
 * of each platform topic (its own consumer group, as an audit feed would run) receives exactly the
 * receipts of that topic, each once, in the order they committed.
 */
for (const busAdapter of BUS_ADAPTERS) {
  describe(`receipts on their platform topics: ${busAdapter.name} bus`, () => {
    let t: TestApp;
    let testBus: TestBus;
    let workers: StageWorkers;
    let receiver: TestReceiver;
    const seen = new Map<BusTopic, DeliveredMessage[]>();
    const consumers: Consumer[] = [];

    before(async () => {
      t = await startTestApp({ adapter: 'pglite' });
      testBus = await busAdapter.open({ leaseTtlMs: 900 });
      receiver = await startReceiver();
      for (const topic of ['runs', 'webhooks', 'connections'] as const) {
        const messages: DeliveredMessage[] = [];
        seen.set(topic, messages);
        consumers.push(
          testBus.bus.consume({
            group: `audit-${topic}`,
            consumer: 'audit-1',
            topic,
            blockMs: 50,
            retryDelayMs: 50,
            handler: async (batch) => {
              messages.push(...batch.messages);
            },
          }),
        );
      }
      workers = testStageWorkers(t, testBus.bus, {
        workers: ['receiver', 'relay', 'router', 'executor'],
        relayIdleMs: 10,
        allowPrivateTargets: true,
      });
      await workers.start();
    });
    after(async () => {
      for (const consumer of consumers) await consumer.stop();
      await workers?.stop();
      await testBus?.close();
      await receiver?.close();
      await t?.close();
    });

    it('a subscriber of runs gets each run.completed once, in order; webhooks gets only its own', async () => {
      const { tenant, auth } = await t.tenant('Audited');
      const headers = { ...auth, 'content-type': 'application/json' };
      const post = async (url: string, payload: Record<string, unknown>) => {
        const response = await t.app.inject({ method: 'POST', url, headers, payload });
        assert.ok(response.statusCode < 300, response.body);
        return response.json() as Record<string, unknown>;
      };
      const connection = (
        (await post('/api/v1/connections', { connector_id: 'commerce-orders', secret: 'audit-secret' }))[
          'connection'
        ] as { id: string }
      ).id;
      await post('/api/v1/triggers', {
        name: 'deliver',
        event_types: ['order.created'],
        action: { type: 'http', url: `${receiver.origin}/orders` },
      });
      // The router hears of the trigger through the change feed; then three events of one entity.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const emitted = await post('/api/v1/events', {
        connection_id: connection,
        emissions: [1, 2, 3].map((n) => ({
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `shopify:order:audit-${n}:created`,
          payload: { entity: { kind: 'order', id: 'audit' }, n },
        })),
      });
      const eventIds = (emitted['results'] as Array<{ event_id: string }>).map((r) => r.event_id);
      const mine = (topic: BusTopic) =>
        (seen.get(topic) ?? []).filter((m) => m.attributes.tenant_id === tenant.id);
      const bodies = (topic: BusTopic) =>
        mine(topic).map(
          (m) => JSON.parse(m.body) as { event_type: string; payload: Record<string, unknown> },
        );
      await eventually('three run receipts', () => mine('runs').length >= 3);
      await eventually(
        'three delivery receipts',
        () => bodies('webhooks').filter((b) => b.event_type === 'webhook.delivered').length >= 3,
      );
      // Whatever else the relay does now (nothing is left unacknowledged), nothing arrives twice.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(receiver.requests.filter((r) => r.path === '/orders').length, 3);
      assert.deepEqual(
        bodies('runs').map((b) => [b.event_type, b.payload['event_id'], b.payload['outcome']]),
        eventIds.map((id) => ['run.completed', id, 'succeeded']),
        'exactly the run receipts, once each, in the entity’s order',
      );
      assert.deepEqual(
        bodies('webhooks').map((b) => b.event_type),
        ['webhook.subscribed', 'webhook.delivered', 'webhook.delivered', 'webhook.delivered'],
      );
      assert.deepEqual(
        bodies('webhooks')
          .filter((b) => b.event_type === 'webhook.delivered')
          .map((b) => b.payload['event_id']),
        eventIds,
      );
      assert.deepEqual(
        bodies('connections').map((b) => b.event_type),
        ['connection.established'],
      );
      assert.ok(
        mine('runs').every((m) => m.attributes.event_type === 'run.completed'),
        'attributes mirrored outside the body',
      );
    });
  });
}
