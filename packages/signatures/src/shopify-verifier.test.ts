import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { shopifyVerifier } from './shopify-verifier.ts';
import { SHOPIFY_SECRET as SECRET, SHOPIFY_WEBHOOK_ID, shopifyHeaders } from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS } from './testing/verify-test-kit.ts';

/** What only shopify does; what every scheme does is in verifier-contract.test.ts. */

const config = { scheme: 'shopify' } as const;

function verify(headers: Record<string, string>, secrets: string[] = [SECRET], rawBody = BODY) {
  return shopifyVerifier.verify(config, { rawBody, headers, secrets, nowMs: NOW_MS });
}

describe('shopify verifier', () => {
  it('accepts a delivery and returns X-Shopify-Webhook-Id as the webhook id', () => {
    const result = verify(shopifyHeaders());
    assertVerified(result);
    assert.deepEqual(result, { ok: true, replayKey: null, webhookId: SHOPIFY_WEBHOOK_ID, timestamp: null });
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
