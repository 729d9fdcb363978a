import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/** A small deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)] as T;
  return { next, pick };
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json; charset=latin1',
  '',
];

const BODIES = [
  '',
  '{',
  'null',
  '[]',
  '[1,2,3]',
  '"text"',
  '{"id":1}',
  '{"__proto__":{"polluted":true}}',
  '{"id":99999999999999999999999,"total_price":"1"}',
  '{"specversion":"1.0","id":"x","source":"/s","type":"sensor.reading","data":{"a":1}}',
  '[{"specversion":"1.0"}]',
  JSON.stringify({ emission: { source: 'x' } }),
  '\u0000\u0001\u0002',
  '{"a":"\\ud800"}',
];

describe('garbage in: never a 5xx, never a crash, always a JSON error', () => {
  let t: TestApp;
  let paths: string[];
  let auth: { authorization: string };
  const secret = 'garbage-secret-1234';

  before(async () => {
    t = await startTestApp();
    const { tenant, auth: key } = await t.tenant('Garbage');
    auth = key;
    const ids: string[] = [];
    for (const connector_id of ['commerce-orders', 'cloudevents', 'standard-webhooks']) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { connector_id, ...(connector_id === 'standard-webhooks' ? {} : { secret }) },
      });
      ids.push(created.json().connection.id);
    }
    paths = [
      ...ids.map((id) => `/api/v1/ingest/${id}`),
      `/api/v1/webhooks/commerce-orders/${tenant.id}`,
      `/api/v1/webhooks/nope/${tenant.id}`,
      '/api/v1/ingest/con_missing',
      '/api/v1/events',
      '/api/v1/connections',
      '/api/v1/tenants',
    ];
  });
  after(() => t.close());

  it('answers 600 random requests below 500 with the error contract', async () => {
    const { next, pick } = generator(20261122);
    for (let i = 0; i < 600; i++) {
      const path = pick(paths);
      const raw = next() < 0.15 ? randomBytes(Math.floor(next() * 64)) : Buffer.from(pick(BODIES));
      const contentType = pick(CONTENT_TYPES);
      const headers: Record<string, string> = {};
      if (contentType !== '') headers['content-type'] = contentType;
      if (next() < 0.5) Object.assign(headers, auth);
      if (next() < 0.5) {
        // A correct signature over garbage, so the request gets past verification.
        Object.assign(
          headers,
          signWebhook(pick([{ scheme: 'shopify' as const }, { scheme: 'github' as const }]), {
            secret,
            rawBody: raw,
            nowMs: Date.now(),
          }),
        );
        if (path.includes('cloudevents') || next() < 0.3) {
          Object.assign(
            headers,
            signWebhook(
              {
                scheme: 'hmac-sha256',
                header: 'x-signature',
                prefix: 'sha256=',
                encoding: 'hex',
                timestampHeader: 'x-signature-timestamp',
              },
              { secret, rawBody: raw, nowMs: Date.now() },
            ),
          );
        }
      }
      if (next() < 0.2) headers['ce-specversion'] = pick(['1.0', '0.3', '']);
      if (next() < 0.2) headers['x-shopify-topic'] = pick(['orders/create', 'orders/updated', 'nope']);
      const response = await t.app.inject({ method: 'POST', url: path, headers, payload: raw });
      const context = `#${i} POST ${path} ${contentType} ${JSON.stringify(raw.toString('utf8').slice(0, 40))}`;
      assert.ok(response.statusCode < 500, `${context} answered ${response.statusCode}: ${response.body}`);
      if (response.statusCode >= 400) {
        const body = response.json() as { error?: { code?: unknown; message?: unknown } };
        assert.equal(typeof body.error?.code, 'string', context);
        assert.equal(typeof body.error?.message, 'string', context);
      }
    }
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  });

  it('answers 400 to a NUL character in a JSON body the store would refuse, and keeps nothing', async () => {
    const count = async () =>
      (
        await t.sql.query<{ n: string }>(
          'SELECT (SELECT count(*) FROM connections) + (SELECT count(*) FROM triggers) AS n',
        )
      )[0]?.n;
    const before = await count();
    const nul = String.fromCharCode(0);
    for (const [url, payload] of [
      [
        '/api/v1/connections',
        { connector_id: 'commerce-orders', secret: 'garbage-secret-1234', name: `a${nul}b` },
      ],
      [
        '/api/v1/triggers',
        {
          name: `t${nul}`,
          event_types: ['order.*'],
          condition: null,
          action: { type: 'handler', name: 'noop' },
        },
      ],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url,
        headers: { ...auth, 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      assert.equal(response.statusCode, 400, `${url}: ${response.body}`);
      assert.equal(response.json().error.code, 'invalid_request');
    }
    assert.equal(await count(), before);
  });
});
