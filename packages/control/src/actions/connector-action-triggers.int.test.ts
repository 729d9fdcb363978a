import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InProcessChangeFeed, isSluiceError, type Stores } from '@sluice/core';
import { shopConnector } from '@sluice/execute/testing';
import { ConnectorRegistry } from '@sluice/map';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { SecretBox } from '../secret-box.ts';
import type { TriggerFieldProblem } from '../triggers/trigger-problem.ts';
import { TriggerWorkflows } from '../triggers/trigger-workflows.ts';

const [adapter] = STORE_ADAPTERS;

describe(`triggers with connector actions over ${adapter?.name}`, () => {
  let db: TestDatabase;
  let store: Stores;
  let triggers: TriggerWorkflows;

  before(async () => {
    assert.ok(adapter);
    db = await adapter.open();
    store = db.store();
    await store.maintenance.migrate();
    triggers = new TriggerWorkflows({
      triggers: store.triggers,
      connections: store.connections,
      connectors: new ConnectorRegistry([shopConnector]),
      secretBox: new SecretBox(Buffer.alloc(32, 3)),
      changes: new InProcessChangeFeed(),
    });
  });
  after(() => db.drop());

  const body = (action: string, input: Record<string, unknown>, connectionId: string) => ({
    name: 'hold risky orders',
    event_types: ['order.created'],
    action: { type: 'connector', connection_id: connectionId, action, input },
  });

  const problemsOf = async (tenantId: string, value: unknown): Promise<TriggerFieldProblem[]> => {
    try {
      await triggers.create(tenantId, value);
    } catch (error) {
      assert.ok(isSluiceError(error));
      return (error.details as { problems: TriggerFieldProblem[] }).problems;
    }
    assert.fail('the trigger was created');
  };

  it("refuses an action the connection's connector does not declare, and input that breaks its schema", async () => {
    const tenant = await store.tenancy.createTenant({ name: 'Shop' });
    const connection = await store.connections.create({
      tenant_id: tenant.id,
      workspace_id: null,
      connector_id: 'cn-shop',
      name: 'shop',
      config: {},
      secret_ciphertext: 'v1:test',
    });
    const unknown = await problemsOf(tenant.id, body('order.ship', {}, connection.id));
    assert.deepEqual(
      unknown.map((p) => [p.path, p.rule]),
      [['action.action', 'connector_action_unknown']],
    );
    assert.match(unknown[0]?.message ?? '', /declares the actions order.hold, order.fail, not "order.ship"/);
    const input = await problemsOf(
      tenant.id,
      body('order.hold', { order_id: 7, extra: true }, connection.id),
    );
    assert.deepEqual(
      input.map((p) => [p.path, p.rule]),
      [
        ['action.input.extra', 'input_invalid'],
        ['action.input.order_id', 'input_invalid'],
      ],
    );
    const { trigger } = await triggers.create(
      tenant.id,
      body('order.hold', { order_id: '7' }, connection.id),
    );
    assert.equal(trigger.action.type, 'connector');
  });
});
