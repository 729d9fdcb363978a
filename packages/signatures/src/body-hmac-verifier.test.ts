import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { githubVerifier } from './github-verifier.ts';
import { shopifyVerifier } from './shopify-verifier.ts';
import { assertRefused, assertVerified, BODY, NOW_MS } from './testing/verify-test-kit.ts';

const SECRET = 'a shared secret';
const hex = createHmac('sha256', SECRET).update(BODY).digest('hex');
const base64 = createHmac('sha256', SECRET).update(BODY).digest('base64');

function github(headers: Record<string, string>) {
  return githubVerifier.verify(
    { scheme: 'github' },
    { rawBody: BODY, headers, secrets: [SECRET], nowMs: NOW_MS },
  );
}

function shopify(headers: Record<string, string>) {
  return shopifyVerifier.verify(
    { scheme: 'shopify' },
    { rawBody: BODY, headers, secrets: [SECRET], nowMs: NOW_MS },
  );
}

describe('body-HMAC verifier, as its github and shopify instances', () => {
  it('reads each instance its own header, encoding and prefix, and nothing else', () => {
    assertVerified(github({ 'x-hub-signature-256': `sha256=${hex}` }));
    assertVerified(shopify({ 'x-shopify-hmac-sha256': base64 }));
    assertRefused(github({ 'x-shopify-hmac-sha256': base64 }), 'signature_missing');
    assertRefused(shopify({ 'x-hub-signature-256': `sha256=${hex}` }), 'signature_missing');
    assertRefused(github({ 'x-hub-signature-256': `sha256=${base64}` }), 'signature_invalid');
    assertRefused(github({ 'x-hub-signature-256': hex }), 'signature_invalid');
    assertRefused(shopify({ 'x-shopify-hmac-sha256': `sha256=${base64}` }), 'signature_invalid');
    assertRefused(shopify({ 'x-shopify-hmac-sha256': hex }), 'signature_invalid');
  });

  it('names the instance in its messages and signs with its own headers', () => {
    const result = github({ 'x-hub-signature-256': 'sha256=zz' });
    assert.match(result.ok ? '' : result.message, /x-hub-signature-256.*sha256=<hex digest>/);
    const none = shopifyVerifier.verify(
      { scheme: 'shopify' },
      { rawBody: BODY, headers: { 'x-shopify-hmac-sha256': base64 }, secrets: [], nowMs: NOW_MS },
    );
    assert.match(none.ok ? '' : none.message, /shopify/);
    const input = { secret: SECRET, rawBody: BODY, nowMs: NOW_MS, webhookId: 'd-1' };
    assert.deepEqual(githubVerifier.sign({ scheme: 'github' }, input), {
      'x-hub-signature-256': `sha256=${hex}`,
      'x-github-delivery': 'd-1',
    });
    assert.deepEqual(shopifyVerifier.sign({ scheme: 'shopify' }, input), {
      'x-shopify-hmac-sha256': base64,
      'x-shopify-webhook-id': 'd-1',
    });
  });
});
