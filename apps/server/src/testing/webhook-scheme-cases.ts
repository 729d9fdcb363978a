import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { sign as signGitHub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';

/**
 * One case per verification scheme, each signed by the provider's own library (or its documented
 * algorithm), for the loopback suite in webhook-schemes.int.test.ts.
 */

/** One provider: how it signs a delivery, where the signature sits and how one bit of it is flipped. */
export interface SchemeCase {
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
export const LOAD_BEARING = new Set(['shopify', 'stripe', 'standard-webhooks']);
/** Every scheme's case; each call makes a fresh one, with a new secret. */
export const CASES = [shopifyCase, stripeCase, standardWebhooksCase, githubCase, hmacCase, slackCase];
