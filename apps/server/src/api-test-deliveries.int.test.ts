import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from './testing/assert-error.ts';
import { startTestApp, type TestApp } from './testing/index.ts';

const PUSH = JSON.stringify({
  ref: 'refs/heads/main',
  after: 'c0ffee0000000000000000000000000000000001',
  repository: { id: 1296269, full_name: 'acme/shop' },
  commits: [],
  pusher: { name: 'ines' },
});

describe('POST /api/v1/connections/{id}/test-deliveries', () => {
  let t: TestApp;
  let auth: { authorization: string };
  let other: { authorization: string };
  let github: string;

  const send = (connectionId: string, payload: unknown, headers = auth) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/connections/${connectionId}/test-deliveries`,
      headers,
      payload: payload as Record<string, unknown>,
    });
  const create = async (connector_id: string, config: Record<string, unknown> = {}) => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id, config, secret: 'the-provider-secret-1' },
    });
    assert.equal(response.statusCode, 201, response.body);
    return (response.json() as { connection: { id: string } }).connection.id;
  };
  /** The envelopes stored through these connections. */
  const stored = async (...connections: string[]) => {
    const pages = await Promise.all(
      connections.map((id) =>
        t.app.inject({ method: 'GET', url: `/api/v1/events?connection_id=${id}`, headers: auth }),
      ),
    );
    return pages.flatMap(
      (page) => (page.json() as { items: Array<{ event_id: string; event_type: string }> }).items,
    );
  };

  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant('Acme'));
    ({ auth: other } = await t.tenant('Other'));
    github = await create('github');
  });
  after(() => t.close());

  it('signs with the connection secret and receives it through the ingest path', async () => {
    const response = await send(github, {
      body: PUSH,
      headers: { 'X-GitHub-Event': 'push', 'x-github-delivery': 'd-1' },
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json() as {
      status: string;
      connection_id: string;
      accepted: number;
      results: Array<{ event_id: string }>;
    };
    assert.equal(body.status, 'ok');
    assert.equal(body.connection_id, github);
    assert.equal(body.accepted, 1);
    assert.doesNotMatch(response.body, /the-provider-secret-1/, 'the secret is never answered');
    assert.deepEqual(
      (await stored(github)).map((e) => [e.event_id, e.event_type]),
      [[body.results[0]?.event_id, 'repository.pushed']],
    );
  });

  it('answers a delivery its mapping cannot handle with 202 and its dead letter', async () => {
    const response = await send(github, { body: '{}', headers: { 'x-github-event': 'no_such_event' } });
    assert.equal(response.statusCode, 202, response.body);
    assert.match((response.json() as { dead_letter_id: string }).dead_letter_id, /^dlq_/);
  });

  it("is another tenant's 404, and refuses what it cannot sign or send, storing nothing", async () => {
    const before = (await stored(github)).length;
    assertError(await send(github, { body: PUSH }, other), 404, 'connection_not_found');
    assertError(await send(github, { headers: {} }), 400, 'invalid_request');
    assertError(await send(github, { body: PUSH, extra: 1 }), 400, 'invalid_request');
    const poll = await create('http-poll', { url: 'http://127.0.0.1:1/items', id_field: 'id' });
    const noWebhooks = assertError(await send(poll, { body: '{}' }), 404, 'connector_not_found');
    assert.match(String(noWebhooks['message']), /receives no webhooks/);
    const retired = await create('github');
    await t.app.inject({ method: 'POST', url: `/api/v1/connections/${retired}/retire`, headers: auth });
    assertError(
      await send(retired, { body: PUSH, headers: { 'x-github-event': 'push' } }),
      409,
      'connection_retired',
    );
    assert.equal((await stored(github, poll, retired)).length, before);
  });

  it('is documented with an operation id, a summary, a tag and its 2xx answers', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          { operationId: string; summary: string; tags: string[]; responses: Record<string, unknown> }
        >
      >;
    };
    const operation = doc.paths['/api/v1/connections/{connection_id}/test-deliveries']?.['post'];
    assert.ok(operation !== undefined);
    assert.equal(operation.operationId, 'sendTestDelivery');
    assert.ok(operation.summary.length > 0);
    assert.deepEqual(operation.tags, ['connections']);
    assert.ok(operation.responses['200'] !== undefined && operation.responses['202'] !== undefined);
  });
});
