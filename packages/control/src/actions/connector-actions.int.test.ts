import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  InProcessChangeFeed,
  PLATFORM_CONNECTOR_ID,
  PLATFORM_EVENT_TYPES,
  PLATFORM_STREAM,
  type Stores,
  SYSTEM_TENANT_ID,
} from '@sluice/core';
import {
  ConnectorActionRunner,
  defineOperator,
  HandlerActionRunner,
  type HandlerResult,
  OperatorRegistry,
} from '@sluice/execute';
import {
  actionContextFixture,
  answer,
  shopConnector,
  startReceiver,
  type TestReceiver,
} from '@sluice/execute/testing';
import { createIngestor, PlatformEvents } from '@sluice/ingest';
import { ConnectorRegistry, defineConnector } from '@sluice/map';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { ConnectionWorkflows } from '../connection-workflows.ts';
import { SecretBox } from '../secret-box.ts';
import { connectionForAction } from './connection-for-action.ts';
import { followUpEmitter } from './follow-up-emitter.ts';
import { registerApiClients } from './register-api-clients.ts';

const platformConnector = defineConnector({
  id: PLATFORM_CONNECTOR_ID,
  streams: [{ key: PLATFORM_STREAM, mode: 'emit', events: PLATFORM_EVENT_TYPES }],
});
const TOKEN = 'shop-admin-token';

for (const adapter of STORE_ADAPTERS) {
  describe(`connector actions and operators over ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let provider: TestReceiver;
    let connections: ConnectionWorkflows;
    let platform: PlatformEvents;
    let runner: ConnectorActionRunner;
    let handlers: HandlerActionRunner;
    const connectors = new ConnectorRegistry([platformConnector, shopConnector]);
    const secretBox = new SecretBox(Buffer.alloc(32, 7));

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      provider = await startReceiver(
        answer(200, { 'content-type': 'application/json' }, '{"hold":{"id":"h1"}}'),
      );
      const ingestor = createIngestor({ events: store.events, connectors });
      platform = new PlatformEvents({
        tenancy: store.tenancy,
        connections: store.connections,
        ingestor,
        sealSecret: (plaintext, id) => secretBox.seal(plaintext, id),
      });
      connections = new ConnectionWorkflows({
        stores: store,
        connectors,
        ingestor,
        platform,
        secretBox,
        changes: new InProcessChangeFeed(),
        now: () => new Date(),
      });
      runner = new ConnectorActionRunner({
        allowPrivate: true,
        connectors,
        connectionFor: connectionForAction({ connections: store.connections, secretBox }),
      });
      handlers = new HandlerActionRunner({
        operators: new OperatorRegistry([
          defineOperator({
            name: 'order-risk',
            run: (envelope) => ({
              actions: [
                {
                  kind: 'connector:cn-shop.order.hold',
                  entity_key: 'order:1001',
                  idempotency_key: `order-risk:${envelope.event_id}:hold`,
                  input: { connection_id: envelope.connection_id, input: { order_id: '1001' } },
                },
              ],
              emit: [
                {
                  source: 'cn-shop',
                  event_type: 'order.hold_requested',
                  dedupe_key: `order-risk:${envelope.event_id}:hold_requested`,
                  payload: { entity: { kind: 'order', id: '1001' } },
                },
              ],
            }),
          }),
        ]),
        policy: { allowedKinds: () => ['connector:*'] },
        runners: { connector: runner },
        emit: followUpEmitter({ connections: store.connections, ingestor }),
        connectorIds: () => connectors.list().map((c) => c.id),
      });
    });
    after(async () => {
      runner.close();
      await provider.close();
      await db.drop();
    });

    it('a connector action runs with the base URL and the Bearer token sealed in the connection config', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Shop' });
      const { connection } = await connections.create({
        tenant_id: tenant.id,
        connector_id: 'cn-shop',
        config: { base_url: `${provider.origin}/api`, token: TOKEN },
      });
      assert.notEqual(JSON.stringify(connection.config).includes(TOKEN), true, 'the token is sealed at rest');
      const before = provider.requests.length;
      const outcome = await runner.run(
        actionContextFixture(
          {
            type: 'connector',
            connection_id: connection.id,
            action: 'order.hold',
            input: { order_id: '1001' },
          },
          { tenantId: tenant.id, idempotencyKey: 'trg_1:evt_1' },
        ),
      );
      assert.equal(outcome.kind, 'delivered');
      assert.ok(outcome.kind === 'delivered');
      assert.deepEqual(outcome.result, { hold: { id: 'h1' } });
      const request = provider.requests[before];
      assert.equal(request?.path, '/api/v1/orders/1001/hold');
      assert.equal(request?.headers['authorization'], `Bearer ${TOKEN}`);
      assert.equal(request?.headers['idempotency-key'], 'trg_1:evt_1');

      const other = await store.tenancy.createTenant({ name: 'Other' });
      const foreign = await runner.run(
        actionContextFixture(
          { type: 'connector', connection_id: connection.id, action: 'order.hold', input: { order_id: '1' } },
          { tenantId: other.id },
        ),
      );
      assert.equal(foreign.kind, 'refused');
      await connections.retire(tenant.id, connection.id);
      const retired = await runner.run(
        actionContextFixture(
          { type: 'connector', connection_id: connection.id, action: 'order.hold', input: { order_id: '1' } },
          { tenantId: tenant.id },
        ),
      );
      assert.ok(retired.kind === 'refused');
      assert.match(retired.error, /is retired/);
      assert.equal(provider.requests.length, before + 1);
    });

    it("a handler's follow-up emissions are stored with the cause's causation and correlation ids", async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Risk' });
      const { connection } = await connections.create({
        tenant_id: tenant.id,
        connector_id: 'cn-shop',
        config: { base_url: provider.origin, token: TOKEN },
      });
      const ingested = await createIngestor({ events: store.events, connectors }).ingest(connection, [
        {
          source: 'cn-shop',
          event_type: 'order.created',
          dedupe_key: 'shop:order:1001:created',
          payload: { entity: { kind: 'order', id: '1001' } },
          correlation_id: 'corr-order-1001',
        },
      ]);
      assert.ok(ingested.status === 'committed');
      const cause = await store.events.get(tenant.id, ingested.results[0]?.event_id ?? '');
      assert.ok(cause);
      const context = actionContextFixture(
        { type: 'handler', name: 'order-risk' },
        { envelope: cause, tenantId: tenant.id },
      );
      const outcome = await handlers.run(context);
      assert.ok(outcome.kind === 'delivered', JSON.stringify(outcome));
      const result = outcome.result as HandlerResult;
      assert.equal(result.emitted?.status, 'committed');
      const followId = result.emitted?.status === 'committed' ? result.emitted.event_ids[0] : undefined;
      const follow = await store.events.get(tenant.id, followId ?? '');
      assert.equal(follow?.event_type, 'order.hold_requested');
      assert.equal(follow?.causation_id, cause.event_id);
      assert.equal(follow?.correlation_id, 'corr-order-1001');
      assert.equal(follow?.trace_id, cause.trace_id);
      assert.equal(follow?.agent_id, 'operator:order-risk');
      // A retried plan emits the same follow-up again: it is a duplicate, not a second envelope.
      const again = await handlers.run(context);
      assert.ok(again.kind === 'delivered');
      const emittedAgain = (again.result as HandlerResult).emitted;
      assert.deepEqual(emittedAgain, { status: 'committed', event_ids: [followId] });
    });

    it('api_client.registered is published once per connector API version', async () => {
      const deps = { connectors, platform, events: store.events };
      assert.deepEqual(await registerApiClients(deps), ['cn-shop']);
      assert.deepEqual(await registerApiClients(deps), []);
      const page = await store.events.query(
        SYSTEM_TENANT_ID,
        { event_type: 'api_client.registered' },
        { limit: 10 },
      );
      assert.equal(page.items.length, 1);
      assert.deepEqual(page.items[0]?.payload, {
        connector: 'cn-shop',
        connector_version: '1.0.0',
        version: '2024-01',
        base_url_config_key: 'base_url',
        auth: 'bearer',
        actions: ['order.hold', 'order.fail'],
        entity: { kind: 'api_client', id: 'cn-shop' },
      });
    });
  });
}
