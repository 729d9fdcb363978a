import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sign as signGitHub } from '@octokit/webhooks-methods';
import { exampleConnectors } from '@sluice/connectors';
import type { MapInput } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * Every verification scheme over real loopback HTTP: a provider-signed delivery is accepted once, the
 * provider's retry is a duplicate of the same envelope, the very same signed request again is a replay, and
 * a one-bit change, a stale timestamp or a missing signature is refused with nothing stored.
 */

type Json = Record<string, unknown>;

function record(value: unknown, what: string): Json {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  throw new Error(`${what} must be a JSON object`);
}

/** A generic HMAC-SHA256 sender: `X-Acme-Signature: sha256=<hex of "{timestamp}.{body}">`. */
const acmePaymentsConnector = defineConnector({
  id: 'acme-payments',
  version: '1.0.0',
  streams: [{ key: 'payments', mode: 'webhook', events: ['payment.captured', 'payment.refunded'] }],
  webhook: {
    verify: {
      scheme: 'hmac-sha256',
      header: 'X-Acme-Signature',
      prefix: 'sha256=',
      timestampHeader: 'X-Acme-Timestamp',
    },
  },
  map: ({ body }: MapInput) => {
    const event = record(body, 'the acme event');
    const payment = record(event['data'], 'data');
    return {
      source: 'acme-payments',
      event_type: String(event['type']),
      dedupe_key: `acme:event:${String(event['id'])}`,
      occurred_at: String(event['created_at']),
      payload: { ...payment, entity: { kind: 'payment', id: String(payment['id']) } },
    };
  },
});

/** Slack's Events API: `event_callback` deliveries carrying an `app_mention`. */
const slackEventsConnector = defineConnector({
  id: 'slack-events',
  version: '1.0.0',
  streams: [{ key: 'mentions', mode: 'webhook', events: ['mention.received'] }],
  webhook: { verify: { scheme: 'slack' } },
  map: ({ body }: MapInput) => {
    const callback = record(body, 'the event callback');
    const event = record(callback['event'], 'event');
    return {
      source: 'slack-events',
      event_type: 'mention.received',
      dedupe_key: `slack:${String(callback['team_id'])}:${String(callback['event_id'])}`,
      occurred_at: new Date(Number(callback['event_time']) * 1000).toISOString(),
      payload: {
        entity: { kind: 'channel', id: String(event['channel']) },
        user: event['user'],
        text: event['text'],
      },
    };
  },
});

const CONNECTORS = [...exampleConnectors, acmePaymentsConnector, slackEventsConnector];

/** One provider: how it signs a delivery, where the signature sits and how one bit of it is flipped. */
interface SchemeCase {
  readonly scheme: string;
  readonly connectorId: string;
  /** `webhooks`: /webhooks/{connector}/{tenant}; `ingest`: /ingest/{connection}. */
  readonly route: 'webhooks' | 'ingest';
  readonly secret: string;
  readonly body: string;
  readonly eventType: string;
  readonly dedupeKey: string;
  /** Timestamped schemes re-sign a retry; the others resend it byte for byte. */
  readonly timestamped: boolean;
  /** The delivery's headers, signed at `nowMs` by the provider's library. */
  sign(body: string, nowMs: number): Promise<Record<string, string>>;
  /** The provider's retry of the same delivery at `nowMs`. */
  retry(body: string, nowMs: number): Promise<Record<string, string>>;
  readonly signatureHeader: string;
  /** The signature header value with one bit of the digest flipped. */
  flipSignature(value: string): string;
}

function flipDigest(encoded: string, encoding: 'hex' | 'base64'): string {
  const bytes = Buffer.from(encoded, encoding);
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString(encoding);
}

function flipAfter(prefix: string, encoding: 'hex' | 'base64'): (value: string) => string {
  return (value) => {
    assert.ok(value.startsWith(prefix), `${value} starts with ${prefix}`);
    return `${prefix}${flipDigest(value.slice(prefix.length), encoding)}`;
  };
}

function hmac(secret: string, content: string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(content).digest(encoding);
}

const JSON_TYPE = { 'content-type': 'application/json' };

function shopifyCase(): SchemeCase {
  const secret = `shpss_${randomBytes(16).toString('hex')}`;
  const webhookId = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
  const sign = async (body: string) => ({
    ...JSON_TYPE,
    'x-shopify-topic': 'orders/create',
    'x-shopify-shop-domain': 'atelier-moreau.myshopify.com',
    'x-shopify-api-version': '2025-01',
    'x-shopify-webhook-id': webhookId,
    'x-shopify-hmac-sha256': hmac(secret, body, 'base64'),
  });
  return {
    scheme: 'shopify',
    connectorId: 'commerce-orders',
    route: 'webhooks',
    secret,
    body: JSON.stringify({
      id: 5832107614443,
      name: '#1042',
      email: 'ines.moreau@example.com',
      created_at: '2025-03-14T10:21:33-04:00',
      updated_at: '2025-03-14T10:21:35-04:00',
      currency: 'EUR',
      total_price: '100.80',
      customer: { id: 7120365928683, first_name: 'Inès', last_name: 'Moreau' },
      line_items: [
        { id: 14880234225899, sku: 'MUG-STONE-350', title: 'Stoneware mug', quantity: 2, price: '24.00' },
      ],
    }),
    eventType: 'order.created',
    dedupeKey: 'shopify:order:5832107614443:created',
    timestamped: false,
    sign,
    retry: sign,
    signatureHeader: 'x-shopify-hmac-sha256',
    flipSignature: (value) => flipDigest(value, 'base64'),
  };
}

function stripeCase(): SchemeCase {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const sign = async (body: string, nowMs: number) => ({
    ...JSON_TYPE,
    'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
    'stripe-signature': Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret,
      timestamp: Math.floor(nowMs / 1000),
    }),
  });
  return {
    scheme: 'stripe',
    connectorId: 'stripe',
    route: 'webhooks',
    secret,
    body: JSON.stringify({
      id: 'evt_3PqL8bKz9x2YhT1c0m4Rk7Vd',
      object: 'event',
      api_version: '2024-06-20',
      created: 1723644012,
      livemode: false,
      type: 'charge.succeeded',
      data: {
        object: {
          id: 'ch_3PqL8bKz9x2YhT1c0b8Q2mXa',
          object: 'charge',
          amount: 4200,
          currency: 'eur',
          customer: 'cus_QhT4bKx9LmN2Pq',
          description: 'Commande n° 1042 — Inès',
          receipt_email: 'ines.moreau@example.com',
          status: 'succeeded',
        },
      },
    }),
    eventType: 'charge.succeeded',
    dedupeKey: 'stripe:event:evt_3PqL8bKz9x2YhT1c0m4Rk7Vd',
    timestamped: true,
    sign,
    retry: sign,
    signatureHeader: 'stripe-signature',
    flipSignature: (value) => {
      const [timestamp, v1] = value.split(',');
      assert.ok(timestamp?.startsWith('t=') && v1 !== undefined);
      return `${timestamp},${flipAfter('v1=', 'hex')(v1)}`;
    },
  };
}

function githubCase(): SchemeCase {
  const secret = randomBytes(20).toString('hex');
  const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
  const sign = async (body: string) => ({
    ...JSON_TYPE,
    'user-agent': 'GitHub-Hookshot/044aadd',
    'x-github-event': 'issues',
    'x-github-delivery': delivery,
    'x-github-hook-id': '292430182',
    'x-hub-signature-256': await signGitHub(secret, body),
  });
  return {
    scheme: 'github',
    connectorId: 'github',
    route: 'webhooks',
    secret,
    body: JSON.stringify({
      action: 'opened',
      issue: {
        id: 2401234567,
        number: 57,
        title: 'Totals are off by a cent — “€” rounding',
        state: 'open',
        user: { login: 'imoreau' },
        labels: [{ name: 'bug' }],
        assignees: [],
        created_at: '2025-03-14T10:30:00Z',
        updated_at: '2025-03-14T10:30:00Z',
      },
      repository: { id: 812345678, full_name: 'atelier-moreau/storefront' },
      sender: { login: 'imoreau' },
    }),
    eventType: 'issue.opened',
    dedupeKey: `github:delivery:${delivery}:issue.opened`,
    timestamped: false,
    sign,
    retry: sign,
    signatureHeader: 'x-hub-signature-256',
    flipSignature: flipAfter('sha256=', 'hex'),
  };
}

function standardWebhooksCase(): SchemeCase {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const msgId = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';
  const sign = async (body: string, nowMs: number) => {
    const at = new Date(Math.floor(nowMs / 1000) * 1000);
    return {
      ...JSON_TYPE,
      'webhook-id': msgId,
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': new Webhook(secret).sign(msgId, at, body),
    };
  };
  return {
    scheme: 'standard-webhooks',
    connectorId: 'standard-webhooks',
    route: 'webhooks',
    secret,
    body: JSON.stringify({
      type: 'invoice.paid',
      timestamp: '2025-03-14T10:40:00Z',
      data: { id: 'inv_8812', amount: 12000, currency: 'EUR', customer: 'Zoë Martin' },
    }),
    eventType: 'invoice.paid',
    dedupeKey: `standard-webhooks:${msgId}`,
    timestamped: true,
    sign,
    retry: sign,
    signatureHeader: 'webhook-signature',
    flipSignature: flipAfter('v1,', 'base64'),
  };
}

function hmacCase(): SchemeCase {
  const secret = randomBytes(32).toString('hex');
  const sign = async (body: string, nowMs: number) => {
    const timestamp = String(Math.floor(nowMs / 1000));
    return {
      ...JSON_TYPE,
      'x-acme-timestamp': timestamp,
      'x-acme-signature': `sha256=${hmac(secret, `${timestamp}.${body}`, 'hex')}`,
    };
  };
  return {
    scheme: 'hmac-sha256',
    connectorId: 'acme-payments',
    route: 'ingest',
    secret,
    body: JSON.stringify({
      id: 'aevt_01HZX3',
      type: 'payment.captured',
      created_at: '2025-03-14T10:45:00.000Z',
      data: { id: 'pay_7731', amount: 4599, currency: 'EUR', payer: 'Zoë Martin' },
    }),
    eventType: 'payment.captured',
    dedupeKey: 'acme:event:aevt_01HZX3',
    timestamped: true,
    sign,
    retry: sign,
    signatureHeader: 'x-acme-signature',
    flipSignature: flipAfter('sha256=', 'hex'),
  };
}

function slackCase(): SchemeCase {
  const secret = randomBytes(16).toString('hex');
  const sign = async (body: string, nowMs: number) => {
    const timestamp = String(Math.floor(nowMs / 1000));
    return {
      ...JSON_TYPE,
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': `v0=${hmac(secret, `v0:${timestamp}:${body}`, 'hex')}`,
    };
  };
  return {
    scheme: 'slack',
    connectorId: 'slack-events',
    route: 'ingest',
    secret,
    body: JSON.stringify({
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      team_id: 'T061EG9R6',
      api_app_id: 'A0MDYCDME',
      event: {
        type: 'app_mention',
        user: 'U061F7AUR',
        text: '<@U0LAN0Z89> is it everything a river should be? ✨',
        ts: '1515449522.000016',
        channel: 'C123ABC456',
        event_ts: '1515449522000016',
      },
      type: 'event_callback',
      event_id: 'Ev0LAN670R',
      event_time: 1515449522,
    }),
    eventType: 'mention.received',
    dedupeKey: 'slack:T061EG9R6:Ev0LAN670R',
    timestamped: true,
    sign,
    // Slack retries with a new timestamp and says which attempt it is.
    retry: async (body, nowMs) => ({
      ...(await sign(body, nowMs)),
      'x-slack-retry-num': '1',
      'x-slack-retry-reason': 'http_timeout',
    }),
    signatureHeader: 'x-slack-signature',
    flipSignature: flipAfter('v0=', 'hex'),
  };
}

/** Run on both store adapters; the rest on PGlite only. */
const LOAD_BEARING = new Set(['shopify', 'stripe', 'standard-webhooks']);
const CASES = [shopifyCase, stripeCase, standardWebhooksCase, githubCase, hmacCase, slackCase];

interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

interface ElementResult {
  readonly index: number;
  readonly status: 'accepted' | 'duplicate';
  readonly event_id: string;
}

function flipBodyBit(body: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(Buffer.from(body, 'utf8'));
  const index = Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  return bytes;
}

function assertError(response: HttpResult, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.deepEqual(Object.keys(response.body), ['error']);
  const error = record(response.body['error'], 'error');
  assert.equal(error['code'], code);
  assert.equal(typeof error['message'], 'string');
  assert.ok(Object.keys(error).every((key) => ['code', 'message', 'details'].includes(key)));
}

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`webhook verification schemes over loopback HTTP (${adapter})`, () => {
    let t: TestApp;
    let base: string;
    let clockMs = Date.now();

    before(async () => {
      t = await startTestApp({ adapter, connectors: CONNECTORS, now: () => new Date(clockMs) });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    async function request(
      method: 'GET' | 'POST',
      path: string,
      headers: Record<string, string>,
      body?: string | Uint8Array<ArrayBuffer>,
    ): Promise<HttpResult> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: record(await response.json(), 'body'),
      };
    }

    for (const makeCase of CASES) {
      const c = makeCase();
      if (adapter === 'postgres' && !LOAD_BEARING.has(c.scheme)) continue;

      describe(`${c.scheme} (${c.connectorId})`, () => {
        let auth: { authorization: string };
        let tenantId: string;
        let connectionId: string;
        let path: string;
        let firstEventId: string;
        let firstHeaders: Record<string, string>;

        before(async () => {
          const made = await t.tenant(`${c.scheme} tenant`);
          auth = made.auth;
          tenantId = made.tenant.id;
          const created = await request(
            'POST',
            '/api/v1/connections',
            { ...auth, 'content-type': 'application/json' },
            JSON.stringify({ connector_id: c.connectorId, secret: c.secret }),
          );
          assert.equal(created.status, 201, JSON.stringify(created.body));
          assert.equal(created.body['secret'], undefined, 'a supplied secret is never echoed');
          connectionId = String(record(created.body['connection'], 'connection')['id']);
          path =
            c.route === 'webhooks'
              ? `/api/v1/webhooks/${c.connectorId}/${tenantId}`
              : `/api/v1/ingest/${connectionId}`;
        });

        const stored = async () => {
          const page = await request('GET', `/api/v1/events?connection_id=${connectionId}`, auth);
          assert.equal(page.status, 200);
          return page.body['items'] as ReadonlyArray<Json>;
        };
        const everything = async () => {
          const events = await request('GET', '/api/v1/events?limit=500', auth);
          const deadLetters = await request('GET', '/api/v1/dead-letters', auth);
          return {
            events: (events.body['items'] as ReadonlyArray<Json>).length,
            deadLetters: (deadLetters.body['items'] as ReadonlyArray<Json>).length,
          };
        };

        it('accepts the signed delivery once, into the connection’s tenant', async () => {
          firstHeaders = await c.sign(c.body, clockMs);
          const first = await request('POST', path, firstHeaders, c.body);
          assert.equal(first.status, 200, JSON.stringify(first.body));
          assert.equal(first.body['accepted'], 1);
          assert.equal(first.body['duplicates'], 0);
          assert.equal(first.body['connection_id'], connectionId);
          const [result] = first.body['results'] as ReadonlyArray<ElementResult>;
          assert.equal(result?.status, 'accepted');
          firstEventId = result.event_id;

          const [envelope, ...rest] = await stored();
          assert.equal(rest.length, 0);
          assert.equal(envelope?.['event_id'], firstEventId);
          assert.equal(envelope['tenant_id'], tenantId);
          assert.equal(envelope['connection_id'], connectionId);
          assert.equal(envelope['event_type'], c.eventType);
          assert.equal(envelope['dedupe_key'], c.dedupeKey);
          assert.equal(envelope['source'], c.connectorId);
        });

        it('acknowledges the provider’s retry as a duplicate of the same event', async () => {
          clockMs += 30_000;
          const retryHeaders = await c.retry(c.body, clockMs);
          if (c.timestamped) assert.notDeepEqual(retryHeaders, firstHeaders);
          else assert.deepEqual(retryHeaders, firstHeaders, 'resent byte for byte');
          const retry = await request('POST', path, retryHeaders, c.body);
          assert.equal(retry.status, 200, JSON.stringify(retry.body));
          assert.equal(retry.body['accepted'], 0);
          assert.equal(retry.body['duplicates'], 1);
          const [result] = retry.body['results'] as ReadonlyArray<ElementResult>;
          assert.deepEqual(result, { index: 0, status: 'duplicate', event_id: firstEventId });
          assert.equal((await stored()).length, 1);
        });

        if (c.timestamped) {
          it('refuses the very same signed request sent again as a replay', async () => {
            const again = await request('POST', path, firstHeaders, c.body);
            assertError(again, 401, 'webhook_replayed');
            assert.equal((await stored()).length, 1);
          });
        } else {
          it('treats a further byte-identical resend as one more duplicate (no timestamp is signed)', async () => {
            const again = await request('POST', path, firstHeaders, c.body);
            assert.equal(again.status, 200, JSON.stringify(again.body));
            assert.equal(again.body['duplicates'], 1);
          });
        }

        it('refuses a one-bit change of body or signature, a stale timestamp and a missing signature, storing nothing', async () => {
          const before = await everything();
          const signed = await c.sign(c.body, clockMs);

          assertError(await request('POST', path, signed, flipBodyBit(c.body)), 401, 'signature_invalid');
          const header = signed[c.signatureHeader];
          assert.ok(header !== undefined);
          const forged = { ...signed, [c.signatureHeader]: c.flipSignature(header) };
          assertError(await request('POST', path, forged, c.body), 401, 'signature_invalid');

          const { [c.signatureHeader]: _removed, ...unsigned } = signed;
          assertError(await request('POST', path, unsigned, c.body), 401, 'signature_missing');

          if (c.timestamped) {
            const stale = await c.sign(c.body, clockMs - 3_600_000);
            assertError(await request('POST', path, stale, c.body), 401, 'timestamp_stale');
            const future = await c.sign(c.body, clockMs + 3_600_000);
            assertError(await request('POST', path, future, c.body), 401, 'timestamp_stale');
          }

          assert.deepEqual(await everything(), before);
          assert.equal((await stored()).length, 1);
        });
      });
    }
  });
}
