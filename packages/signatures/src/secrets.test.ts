import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VERIFICATION_SCHEMES } from '@sluice/core';
import { generateSecret } from './secrets.ts';

describe('generateSecret', () => {
  it('makes whsec_ + base64 of 24 bytes for standard-webhooks and stripe', () => {
    for (const scheme of ['standard-webhooks', 'stripe'] as const) {
      const secret = generateSecret(scheme);
      assert.match(secret, /^whsec_[A-Za-z0-9+/]{32}$/);
      assert.equal(Buffer.from(secret.slice(6), 'base64').length, 24);
    }
  });

  it('makes 32 random bytes as hex for the other schemes', () => {
    for (const scheme of ['hmac-sha256', 'github', 'shopify', 'slack'] as const) {
      assert.match(generateSecret(scheme), /^[0-9a-f]{64}$/);
    }
  });

  it('never repeats a secret', () => {
    const secrets = VERIFICATION_SCHEMES.flatMap((scheme) => [
      generateSecret(scheme),
      generateSecret(scheme),
    ]);
    assert.equal(new Set(secrets).size, secrets.length);
  });
});
