import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { shopifyVerifier } from './shopify-verifier.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBase64Bit,
  flipBodyBit,
  NOW_MS,
} from './verify-test-kit.ts';

const SECRET = 'shpss_0123456789abcdef';
const OLD_SECRET = 'shpss_previous';
const config = { scheme: 'shopify' } as const;

/** Shopify's documented algorithm: base64 of HMAC-SHA256 over the raw body with the app's client secret. */
function shopifyHeaders(secret = SECRET, body = BODY): Record<string, string> {
  return {
    'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
  };
}

function verify(headers: Record<string, string>, secrets: string[] = [SECRET], rawBody = BODY) {
  return shopifyVerifier.verify(config, { rawBody, headers, secrets, nowMs: NOW_MS });
}

describe('shopify verifier', () => {
  it('accepts a delivery and returns X-Shopify-Webhook-Id as the webhook id', () => {
    const result = verify(shopifyHeaders());
    assertVerified(result);
    assert.deepEqual(result, {
      ok: true,
      replayKey: null,
      webhookId: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
      timestamp: null,
    });
  });

  it('refuses a body with one bit changed', () => {
    assertRefused(verify(shopifyHeaders(), [SECRET], flipBodyBit(BODY)), 'signature_invalid');
  });

  it('refuses a signature with one bit changed, without echoing the expected one', () => {
    const headers = shopifyHeaders();
    const good = headers['x-shopify-hmac-sha256']!;
    const result = verify({ ...headers, 'x-shopify-hmac-sha256': flipBase64Bit(good) });
    assertRefused(result, 'signature_invalid', [SECRET, good]);
  });

  it('refuses a delivery without the signature header', () => {
    assertRefused(verify({ 'x-shopify-webhook-id': 'x' }), 'signature_missing');
  });

  it('refuses a signature made with another secret', () => {
    assertRefused(verify(shopifyHeaders('wrong')), 'signature_invalid', [SECRET]);
  });

  it('accepts either secret during a rotation overlap', () => {
    assertVerified(verify(shopifyHeaders(OLD_SECRET), [OLD_SECRET, SECRET]));
    assertVerified(verify(shopifyHeaders(SECRET), [OLD_SECRET, SECRET]));
  });

  it('fails closed on bad base64, a hex digest and an empty secrets list', () => {
    const good = shopifyHeaders()['x-shopify-hmac-sha256']!;
    assertRefused(verify({ 'x-shopify-hmac-sha256': `${good.slice(0, -2)}!=` }), 'signature_invalid');
    assertRefused(verify({ 'x-shopify-hmac-sha256': good.replace(/=+$/, '') }), 'signature_invalid');
    const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
    assertRefused(verify({ 'x-shopify-hmac-sha256': hex }), 'signature_invalid');
    assertRefused(verify(shopifyHeaders(), []), 'signature_invalid');
  });
});
