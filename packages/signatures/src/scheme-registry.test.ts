import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VERIFICATION_SCHEMES, type VerificationConfig } from '@sluice/core';
import { SCHEME_REGISTRY, verifyWebhook } from './scheme-registry.ts';
import { generateSecret } from './secrets.ts';
import { signWebhook } from './signers.ts';
import { assertRefused, assertVerified, BODY, NOW_MS, NOW_S } from './testing/verify-test-kit.ts';

/** One config per scheme, exercising the options of hmac-sha256. */
const CONFIGS: ReadonlyArray<VerificationConfig> = [
  {
    scheme: 'hmac-sha256',
    header: 'X-Signature',
    prefix: 'sha256=',
    encoding: 'base64',
    timestampHeader: 'X-Ts',
  },
  { scheme: 'standard-webhooks' },
  { scheme: 'stripe' },
  { scheme: 'github' },
  { scheme: 'shopify' },
  { scheme: 'slack', toleranceSeconds: 60 },
];

const TIMESTAMPED = new Set(['hmac-sha256', 'standard-webhooks', 'stripe', 'slack']);

describe('scheme registry', () => {
  it('has exactly one verifier per scheme, each under its own name', () => {
    assert.deepEqual(Object.keys(SCHEME_REGISTRY).sort(), [...VERIFICATION_SCHEMES].sort());
    for (const [scheme, verifier] of Object.entries(SCHEME_REGISTRY)) assert.equal(verifier.scheme, scheme);
    assert.deepEqual(CONFIGS.map((config) => config.scheme).sort(), [...VERIFICATION_SCHEMES].sort());
  });

  for (const config of CONFIGS) {
    describe(config.scheme, () => {
      const secret = generateSecret(config.scheme);

      it('verifies what signWebhook signs with a generated secret', () => {
        const headers = signWebhook(config, { secret, rawBody: BODY, nowMs: NOW_MS, webhookId: 'wh_1' });
        const result = verifyWebhook(config, { rawBody: BODY, headers, secrets: [secret], nowMs: NOW_MS });
        assertVerified(result);
        assert.equal(result.timestamp, TIMESTAMPED.has(config.scheme) ? NOW_S : null);
        assert.equal(result.replayKey === null, !TIMESTAMPED.has(config.scheme));
        if (['standard-webhooks', 'github', 'shopify'].includes(config.scheme))
          assert.equal(result.webhookId, 'wh_1');
      });

      it('signs a string body the same as its bytes', () => {
        const input = { secret, nowMs: NOW_MS, webhookId: 'wh_1' };
        assert.deepEqual(
          signWebhook(config, { ...input, rawBody: BODY.toString() }),
          signWebhook(config, { ...input, rawBody: BODY }),
        );
      });

      it('refuses what signWebhook signs with another secret, and a delivery with no headers', () => {
        const headers = signWebhook(config, {
          secret: generateSecret(config.scheme),
          rawBody: BODY,
          nowMs: NOW_MS,
        });
        const request = { rawBody: BODY, secrets: [secret], nowMs: NOW_MS };
        assertRefused(verifyWebhook(config, { ...request, headers }), 'signature_invalid', [secret]);
        assertRefused(verifyWebhook(config, { ...request, headers: {} }), 'signature_missing');
      });

      if (TIMESTAMPED.has(config.scheme)) {
        it('refuses its signed timestamp once it is stale', () => {
          const headers = signWebhook(config, { secret, rawBody: BODY, nowMs: NOW_MS - 3_600_000 });
          const result = verifyWebhook(config, { rawBody: BODY, headers, secrets: [secret], nowMs: NOW_MS });
          assertRefused(result, 'timestamp_stale', [secret]);
        });

        it('gives two deliveries signed in the same second different replay keys', () => {
          const keys = ['{"n":1}', '{"n":2}'].map((body, index) => {
            const rawBody = Buffer.from(body);
            const headers = signWebhook(config, { secret, rawBody, nowMs: NOW_MS, webhookId: `wh_${index}` });
            const result = verifyWebhook(config, { rawBody, headers, secrets: [secret], nowMs: NOW_MS });
            assertVerified(result);
            return result.replayKey;
          });
          assert.notEqual(keys[0], keys[1]);
        });
      }
    });
  }

  it('refuses a config naming a scheme it does not know, without throwing', () => {
    const config = { scheme: 'carrier-pigeon' } as unknown as VerificationConfig;
    const result = verifyWebhook(config, { rawBody: BODY, headers: {}, secrets: ['x'], nowMs: NOW_MS });
    assertRefused(result, 'signature_invalid');
    assert.match(result.ok ? '' : result.message, /carrier-pigeon/);
    assert.throws(() => signWebhook(config, { secret: 'x', rawBody: BODY, nowMs: NOW_MS }), /carrier-pigeon/);
  });

  it('refuses schemes named after object properties, and configs that are not objects, without throwing', () => {
    const request = { rawBody: BODY, headers: {}, secrets: ['x'], nowMs: NOW_MS };
    for (const config of [{ scheme: 'toString' }, { scheme: '__proto__' }, { scheme: 1 }, {}, null]) {
      const odd = config as unknown as VerificationConfig;
      assertRefused(verifyWebhook(odd, request), 'signature_invalid');
      assert.throws(() => signWebhook(odd, { secret: 'x', rawBody: BODY, nowMs: NOW_MS }), {
        code: 'validation_failed',
      });
    }
  });
});
