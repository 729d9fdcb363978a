import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ConnectorAction } from '@sluice/core';
import { ConnectorActionRunner } from '@sluice/execute';
import {
  actionContextFixture,
  answer,
  connectionFixture,
  startReceiver,
  type TestReceiver,
} from '@sluice/execute/testing';
import { ConnectorRegistry } from '@sluice/map';
import { commerceOrdersConnector } from './commerce-orders-connector.ts';
import { githubConnector } from './github-connector.ts';

let provider: TestReceiver;
let runner: ConnectorActionRunner;

before(async () => {
  provider = await startReceiver();
  const connections = [
    connectionFixture(
      'github',
      { base_url: `${provider.origin}/api/v3`, token: 'ghp_test' },
      { id: 'con_gh' },
    ),
    connectionFixture(
      'commerce-orders',
      { base_url: provider.origin, access_token: 'shpat_test' },
      { id: 'con_shop' },
    ),
  ];
  runner = new ConnectorActionRunner({
    allowPrivate: true,
    connectors: new ConnectorRegistry([githubConnector, commerceOrdersConnector]),
    connectionFor: async (tenantId, id) => {
      const connection = connections.find((c) => c.id === id && c.tenant_id === tenantId);
      return connection === undefined ? null : { connection, config: connection.config };
    },
  });
});

after(async () => {
  runner.close();
  await provider.close();
});

const action = (connectionId: string, name: string, input: Record<string, unknown>): ConnectorAction => ({
  type: 'connector',
  connection_id: connectionId,
  action: name,
  input,
});

describe('shipped connector actions against a local provider', () => {
  it('github issue.comment POSTs the comment with the Bearer token and the API version', async () => {
    provider.handle(answer(201, { 'content-type': 'application/json' }, '{"id":1,"body":"Held for review"}'));
    const before = provider.requests.length;
    const outcome = await runner.run(
      actionContextFixture(
        action('con_gh', 'issue.comment', {
          owner: 'acme',
          repo: 'shop',
          number: 7,
          body: 'Held for review',
        }),
        { idempotencyKey: 'gh-1' },
      ),
    );
    assert.ok(outcome.kind === 'delivered');
    assert.deepEqual(outcome.result, { id: 1, body: 'Held for review' });
    const request = provider.requests[before];
    assert.equal(request?.method, 'POST');
    assert.equal(request?.path, '/api/v3/repos/acme/shop/issues/7/comments');
    assert.equal(request?.headers['authorization'], 'Bearer ghp_test');
    assert.equal(request?.headers['x-github-api-version'], '2022-11-28');
    assert.equal(request?.headers['accept'], 'application/vnd.github+json');
    assert.equal(request?.headers['idempotency-key'], 'gh-1');
    assert.deepEqual(JSON.parse(request?.body.toString('utf8') ?? ''), { body: 'Held for review' });
  });

  it('github issue.comment: 404 fails for good, 502 retries', async () => {
    const comment = action('con_gh', 'issue.comment', { owner: 'acme', repo: 'shop', number: 7, body: 'x' });
    provider.handle(answer(404, { 'content-type': 'application/json' }, '{"message":"Not Found"}'));
    const missing = await runner.run(actionContextFixture(comment));
    assert.ok(missing.kind === 'failed');
    assert.match(missing.error, /HTTP 404: \{"message":"Not Found"\}/);
    provider.handle(answer(502));
    assert.equal((await runner.run(actionContextFixture(comment))).kind, 'retry');
  });

  it('github issue.comment refuses input that breaks its schema', async () => {
    const before = provider.requests.length;
    const outcome = await runner.run(
      actionContextFixture(action('con_gh', 'issue.comment', { owner: 'acme/x', repo: 'shop', number: 0 })),
    );
    assert.ok(outcome.kind === 'refused');
    assert.match(outcome.error, /\/owner: .*\/number: .*\/body: /);
    assert.equal(provider.requests.length, before);
  });

  it('commerce-orders order.hold POSTs the hold with the store access token', async () => {
    provider.handle(
      answer(200, { 'content-type': 'application/json' }, '{"order":{"id":5678901234,"on_hold":true}}'),
    );
    const before = provider.requests.length;
    const outcome = await runner.run(
      actionContextFixture(
        action('con_shop', 'order.hold', { order_id: '5678901234', reason: 'fraud', note: 'risk 0.97' }),
      ),
    );
    assert.ok(outcome.kind === 'delivered');
    assert.deepEqual(outcome.result, { order: { id: 5678901234, on_hold: true } });
    const request = provider.requests[before];
    assert.equal(request?.path, '/admin/api/2024-01/orders/5678901234/hold.json');
    assert.equal(request?.headers['x-shopify-access-token'], 'shpat_test');
    assert.equal(request?.headers['authorization'], undefined);
    assert.deepEqual(JSON.parse(request?.body.toString('utf8') ?? ''), {
      hold: { reason: 'fraud', note: 'risk 0.97' },
    });
  });

  it('commerce-orders order.hold: 429 retries after Retry-After, 422 fails', async () => {
    const hold = action('con_shop', 'order.hold', { order_id: '1' });
    provider.handle(answer(429, { 'retry-after': '2' }));
    const limited = await runner.run(actionContextFixture(hold));
    assert.ok(limited.kind === 'retry');
    assert.equal(limited.retry_after_ms, 2000);
    provider.handle(answer(422, {}, '{"errors":{"order":["is already on hold"]}}'));
    const refused = await runner.run(actionContextFixture(hold));
    assert.ok(refused.kind === 'failed');
    assert.equal(refused.status, 422);
  });
});
