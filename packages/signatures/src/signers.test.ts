import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { verify as verifyGithub } from '@octokit/webhooks-methods';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { generateSecret } from './secrets.ts';
import { signWebhook } from './signers.ts';
import { BODY, NOW_MS, NOW_S, PAYLOAD } from './testing/verify-test-kit.ts';

describe("signWebhook, checked by the providers' own libraries", () => {
  it('standard-webhooks: the reference library verifies our headers', () => {
    const secret = generateSecret('standard-webhooks');
    // The library reads the wall clock, so sign at the wall clock.
    const headers = signWebhook(
      { scheme: 'standard-webhooks' },
      { secret, rawBody: BODY, nowMs: Date.now() },
    );
    assert.match(headers['webhook-id'] ?? '', /^msg_/);
    assert.deepEqual(new Webhook(secret).verify(PAYLOAD, headers), JSON.parse(PAYLOAD));
    assert.throws(() => new Webhook(generateSecret('standard-webhooks')).verify(PAYLOAD, headers));
  });

  it('stripe: constructEvent verifies our header', () => {
    const secret = generateSecret('stripe');
    const headers = signWebhook({ scheme: 'stripe' }, { secret, rawBody: BODY, nowMs: NOW_MS });
    const header = headers['stripe-signature'] ?? '';
    const event = Stripe.webhooks.constructEvent(BODY, header, secret, 300, undefined, NOW_MS);
    assert.deepEqual(event, JSON.parse(PAYLOAD));
    const stripe = new Stripe('sk_test_x');
    assert.throws(() => stripe.webhooks.constructEvent(BODY, header, 'whsec_other', 300, undefined, NOW_MS));
  });

  it('github: @octokit/webhooks-methods verifies our header', async () => {
    const secret = generateSecret('github');
    const headers = signWebhook(
      { scheme: 'github' },
      { secret, rawBody: BODY, nowMs: NOW_MS, webhookId: 'd-1' },
    );
    assert.equal(headers['x-github-delivery'], 'd-1');
    assert.equal(await verifyGithub(secret, PAYLOAD, headers['x-hub-signature-256'] ?? ''), true);
    assert.equal(await verifyGithub('other', PAYLOAD, headers['x-hub-signature-256'] ?? ''), false);
  });

  it("shopify and slack: the providers' documented algorithms give our headers", () => {
    const secret = generateSecret('shopify');
    const shopify = signWebhook({ scheme: 'shopify' }, { secret, rawBody: BODY, nowMs: NOW_MS });
    assert.equal(
      shopify['x-shopify-hmac-sha256'],
      createHmac('sha256', secret).update(BODY).digest('base64'),
    );
    const slack = signWebhook({ scheme: 'slack' }, { secret, rawBody: BODY, nowMs: NOW_MS });
    const base = Buffer.concat([Buffer.from(`v0:${NOW_S}:`), BODY]);
    assert.deepEqual(slack, {
      'x-slack-signature': `v0=${createHmac('sha256', secret).update(base).digest('hex')}`,
      'x-slack-request-timestamp': String(NOW_S),
    });
  });

  it('refuses to sign with a secret the scheme cannot use', () => {
    const input = { rawBody: BODY, nowMs: NOW_MS };
    assert.throws(() => signWebhook({ scheme: 'github' }, { ...input, secret: '' }), {
      code: 'validation_failed',
    });
    assert.throws(() => signWebhook({ scheme: 'standard-webhooks' }, { ...input, secret: 'whsec_!!' }), {
      code: 'validation_failed',
    });
  });
});
