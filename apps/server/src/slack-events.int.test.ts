import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from './testing/test-app.ts';

const SECRET = randomBytes(16).toString('hex');

function signed(body: string, nowMs = Date.now(), extra: Record<string, string> = {}) {
  const timestamp = String(Math.floor(nowMs / 1000));
  const digest = createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex');
  return {
    'content-type': 'application/json',
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': `v0=${digest}`,
    ...extra,
  };
}

const mention = JSON.stringify({
  token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
  team_id: 'T061EG9R6',
  api_app_id: 'A0MDYCDME',
  event: {
    type: 'app_mention',
    user: 'U061F7AUR',
    text: '<@U0LAN0Z89> is it everything a river should be?',
    ts: '1515449522.000016',
    channel: 'C123ABC456',
    event_ts: '1515449522000016',
  },
  type: 'event_callback',
  event_id: 'Ev0LAN670R',
  event_time: 1515449522,
});

describe('slack Events API connector', () => {
  let app: TestApp;
  let tenantId: string;
  let connectionId: string;
  before(async () => {
    app = await startTestApp();
    const { tenant, auth } = await app.tenant('Slack');
    tenantId = tenant.id;
    const created = await app.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'slack', name: 'workspace', secret: SECRET },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = (created.json() as { connection: { id: string } }).connection.id;
  });
  after(() => app.close());

  const stored = async () =>
    (await app.store.events.query(tenantId, {}, { limit: 100 })).items.filter((e) => e.source === 'slack');
  const deadLetters = async () => (await app.store.deadLetters.list(tenantId, {}, { limit: 100 })).items;
  const post = (body: string, headers: Record<string, string>, url = `/api/v1/webhooks/slack/${tenantId}`) =>
    app.app.inject({ method: 'POST', url, headers, payload: body });

  it('answers a signed url_verification with its challenge, as text, and stores nothing', async () => {
    const challenge = '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P';
    const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' });
    for (const url of [`/api/v1/webhooks/slack/${tenantId}`, `/api/v1/ingest/${connectionId}`]) {
      const response = await post(body, signed(body), url);
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      assert.equal(response.body, challenge);
    }
    assert.equal((await stored()).length, 0);
    assert.equal((await deadLetters()).length, 0);
  });

  it('refuses an unsigned or forged url_verification with 401', async () => {
    const body = JSON.stringify({ challenge: 'abc', type: 'url_verification' });
    const forged = { ...signed(body), 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    const response = await post(body, forged);
    assert.equal(response.statusCode, 401, response.body);
    assert.equal((response.json() as { error: { code: string } }).error.code, 'signature_invalid');
    assert.equal((await post(body, { 'content-type': 'application/json' })).statusCode, 401);
  });

  it('stores an event_callback once; Slack retries (x-slack-retry-num) collapse onto its event_id', async () => {
    const first = await post(mention, signed(mention));
    assert.equal(first.statusCode, 200, first.body);
    assert.equal((first.json() as { accepted: number }).accepted, 1);
    for (const [num, reason] of [
      ['1', 'http_timeout'],
      ['2', 'http_error'],
    ] as const) {
      const retry = await post(
        mention,
        signed(mention, Date.now() + Number(num) * 1000, {
          'x-slack-retry-num': num,
          'x-slack-retry-reason': reason,
        }),
      );
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal((retry.json() as { duplicates: number }).duplicates, 1);
    }
    const envelopes = await stored();
    assert.equal(envelopes.length, 1);
    assert.equal(envelopes[0]?.event_type, 'app_mention.created');
    assert.equal(envelopes[0]?.dedupe_key, 'slack:T061EG9R6:Ev0LAN670R');
  });

  it('refuses a forged event_callback with 401 and keeps an unsupported event as a dead letter', async () => {
    const body = mention.replace('Ev0LAN670R', 'Ev0FORGED1');
    const forged = { ...signed(body), 'x-slack-signature': signed(mention)['x-slack-signature'] };
    assert.equal((await post(body, forged)).statusCode, 401);
    const unsupported = mention.replace('"app_mention"', '"team_join"').replace('Ev0LAN670R', 'Ev0TEAMJ01');
    const response = await post(unsupported, signed(unsupported));
    assert.equal(response.statusCode, 202, response.body);
    assert.equal((await stored()).length, 1);
    assert.equal((await deadLetters()).length, 1);
  });
});
