import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Connection, ConnectorAction } from '@sluice/core';
import { ConnectorRegistry } from '@sluice/map';
import { ConnectorActionRunner } from './connector-action-runner.ts';
import {
  actionContextFixture,
  answer,
  connectionFixture,
  shopConnector,
  startReceiver,
  type TestReceiver,
} from './testing/index.ts';

const TOKEN = 'shop-token-secret';
let provider: TestReceiver;
let runner: ConnectorActionRunner;
let connections: Map<string, Connection>;

const hold = (
  input: Record<string, unknown> = { order_id: '1001' },
  connectionId = 'con_api',
): ConnectorAction => ({
  type: 'connector',
  connection_id: connectionId,
  action: 'order.hold',
  input,
});

before(async () => {
  provider = await startReceiver();
  connections = new Map([
    ['con_api', connectionFixture('cn-shop', { base_url: `${provider.origin}/shop/`, token: TOKEN })],
    [
      'con_other',
      connectionFixture(
        'cn-shop',
        { base_url: provider.origin, token: TOKEN },
        { id: 'con_other', tenant_id: 'ten_02' },
      ),
    ],
    [
      'con_retired',
      connectionFixture(
        'cn-shop',
        { base_url: provider.origin, token: TOKEN },
        { id: 'con_retired', status: 'retired' },
      ),
    ],
    ['con_nourl', connectionFixture('cn-shop', { token: TOKEN }, { id: 'con_nourl' })],
  ]);
  runner = new ConnectorActionRunner({
    allowPrivate: true,
    connectors: new ConnectorRegistry([shopConnector]),
    connectionFor: async (tenantId, connectionId) => {
      const connection = connections.get(connectionId);
      return connection === undefined || connection.tenant_id !== tenantId
        ? null
        : { connection, config: connection.config };
    },
  });
});

after(async () => {
  runner.close();
  await provider.close();
});

describe('ConnectorActionRunner against a local provider', () => {
  it('calls the API at the base URL with the Bearer token, version and idempotency key; 2xx is delivered with the body', async () => {
    provider.handle(
      answer(201, { 'content-type': 'application/json' }, '{"order":{"id":"1001","held":true}}'),
    );
    const before = provider.requests.length;
    const outcome = await runner.run(
      actionContextFixture(hold({ order_id: 'A/7', reason: 'fraud' }), { idempotencyKey: 'idem-1' }),
    );
    assert.deepEqual(
      { ...outcome, latency_ms: 0 },
      {
        kind: 'delivered',
        status: 201,
        latency_ms: 0,
        result: { order: { id: '1001', held: true } },
      },
    );
    const request = provider.requests[before];
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/shop/v1/orders/A%2F7/hold');
    assert.equal(request.headers['authorization'], `Bearer ${TOKEN}`);
    assert.equal(request.headers['idempotency-key'], 'idem-1');
    assert.equal(request.headers['x-shop-api-version'], '2024-01');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body.toString('utf8')), { reason: 'fraud' });
  });

  it('4xx is a permanent failure naming the status and the body', async () => {
    for (const status of [400, 401, 404, 410, 422]) {
      provider.handle(answer(status, {}, '{"errors":"nope"}'));
      const outcome = await runner.run(actionContextFixture(hold()));
      assert.equal(outcome.kind, 'failed', `HTTP ${status}`);
      assert.ok(outcome.kind === 'failed');
      assert.equal(outcome.status, status);
      assert.match(outcome.error, /nope/);
    }
  });

  it('408, 409, 425, 429 and 5xx are retried, with Retry-After', async () => {
    for (const status of [408, 409, 425, 500, 503]) {
      provider.handle(answer(status));
      const outcome = await runner.run(actionContextFixture(hold()));
      assert.equal(outcome.kind, 'retry', `HTTP ${status}`);
    }
    provider.handle(answer(429, { 'retry-after': '7' }));
    const limited = await runner.run(actionContextFixture(hold()));
    assert.deepEqual(
      { kind: limited.kind, ...('retry_after_ms' in limited ? { ms: limited.retry_after_ms } : {}) },
      {
        kind: 'retry',
        ms: 7000,
      },
    );
  });

  it('a timeout is retried, and so is an abort by the executor', async () => {
    provider.handle(() => {});
    const timedOut = await runner.run(actionContextFixture(hold(), { timeoutMs: 150 }));
    assert.equal(timedOut.kind, 'retry');
    assert.ok(timedOut.kind === 'retry');
    assert.match(timedOut.error, /Timed out after 150 ms/);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const aborted = await runner.run(actionContextFixture(hold(), { signal: controller.signal }));
    assert.equal(aborted.kind, 'retry');
  });

  it('input that breaks the schema is refused before anything is sent', async () => {
    const before = provider.requests.length;
    const outcome = await runner.run(actionContextFixture(hold({ order_id: 7, extra: 1 })));
    assert.equal(outcome.kind, 'refused');
    assert.ok(outcome.kind === 'refused');
    assert.equal(outcome.rule, 'request_invalid');
    assert.match(outcome.error, /does not match its schema: \/extra: .*\/order_id: /);
    assert.equal(provider.requests.length, before);
  });

  it("only the trigger tenant's active connection, a declared action and a configured base URL run", async () => {
    const cases: Array<[ConnectorAction, RegExp]> = [
      [hold(undefined, 'con_other'), /not a connection of this tenant/],
      [hold(undefined, 'con_missing'), /not a connection of this tenant/],
      [hold(undefined, 'con_retired'), /is retired/],
      [hold(undefined, 'con_nourl'), /no usable "base_url"/],
      [{ ...hold(), action: 'order.ship' }, /no action "order.ship"; it declares order.hold, order.fail/],
    ];
    for (const [action, message] of cases) {
      const outcome = await runner.run(actionContextFixture(action));
      assert.equal(outcome.kind, 'refused');
      assert.ok(outcome.kind === 'refused');
      assert.match(outcome.error, message);
    }
  });

  it('an action that throws fails for good', async () => {
    const outcome = await runner.run(actionContextFixture({ ...hold({}), action: 'order.fail' }));
    assert.equal(outcome.kind, 'failed');
    assert.ok(outcome.kind === 'failed');
    assert.match(outcome.error, /cn-shop action order.fail threw: the action has a bug/);
  });

  it('the target guard holds: a loopback base URL is refused without allowPrivate', async () => {
    const guarded = new ConnectorActionRunner({
      allowPrivate: false,
      connectors: new ConnectorRegistry([shopConnector]),
      connectionFor: async () => {
        const connection = connections.get('con_api');
        return connection === undefined ? null : { connection, config: connection.config };
      },
    });
    const before = provider.requests.length;
    const outcome = await guarded.run(actionContextFixture(hold()));
    guarded.close();
    assert.equal(outcome.kind, 'refused');
    assert.ok(outcome.kind === 'refused');
    assert.equal(outcome.rule, 'address_not_allowed');
    assert.equal(provider.requests.length, before);
  });
});
