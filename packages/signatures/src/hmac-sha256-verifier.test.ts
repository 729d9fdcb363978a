import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { VerificationConfig } from '@sluice/core';
import { hmacSha256Verifier } from './hmac-sha256-verifier.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBase64Bit,
  flipBodyBit,
  flipHexBit,
  NOW_MS,
  NOW_S,
} from './verify-test-kit.ts';

type HmacConfig = Extract<VerificationConfig, { scheme: 'hmac-sha256' }>;

const SECRET = '5f0c0a4e3c1b6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e';
const OLD_SECRET = 'previous-secret';
const plain: HmacConfig = { scheme: 'hmac-sha256', header: 'X-Signature' };
const prefixed: HmacConfig = {
  scheme: 'hmac-sha256',
  header: 'x-signature',
  prefix: 'sha256=',
  encoding: 'base64',
};
const timed: HmacConfig = { scheme: 'hmac-sha256', header: 'x-signature', timestampHeader: 'X-Timestamp' };

function digest(secret: string, content: Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', secret).update(content).digest(encoding);
}

function timedHeaders(secret = SECRET, timestamp = NOW_S): Record<string, string> {
  const content = Buffer.concat([Buffer.from(`${timestamp}.`), BODY]);
  return { 'x-signature': digest(secret, content), 'x-timestamp': String(timestamp) };
}

function verify(
  config: HmacConfig,
  headers: Record<string, string>,
  { secrets = [SECRET], rawBody = BODY, nowMs = NOW_MS } = {},
) {
  return hmacSha256Verifier.verify(config, { rawBody, headers, secrets, nowMs });
}

describe('hmac-sha256 verifier', () => {
  it('accepts a hex digest of the body in the configured header (name matched case-insensitively)', () => {
    const result = verify(plain, { 'x-signature': digest(SECRET, BODY) });
    assertVerified(result);
    assert.deepEqual(result, { ok: true, replayKey: null, webhookId: null, timestamp: null });
  });

  it('accepts a prefixed base64 digest when so configured, and nothing else', () => {
    const good = digest(SECRET, BODY, 'base64');
    assertVerified(verify(prefixed, { 'x-signature': `sha256=${good}` }));
    assertRefused(verify(prefixed, { 'x-signature': good }), 'signature_invalid');
    assertRefused(verify(prefixed, { 'x-signature': `sha256=${digest(SECRET, BODY)}` }), 'signature_invalid');
  });

  it('refuses a body with one bit changed', () => {
    assertRefused(
      verify(plain, { 'x-signature': digest(SECRET, BODY) }, { rawBody: flipBodyBit(BODY) }),
      'signature_invalid',
    );
    assertRefused(verify(timed, timedHeaders(), { rawBody: flipBodyBit(BODY) }), 'signature_invalid');
  });

  it('refuses a signature with one bit changed, without echoing the expected one', () => {
    const hex = digest(SECRET, BODY);
    assertRefused(verify(plain, { 'x-signature': flipHexBit(hex) }), 'signature_invalid', [SECRET, hex]);
    const b64 = digest(SECRET, BODY, 'base64');
    const result = verify(prefixed, { 'x-signature': `sha256=${flipBase64Bit(b64)}` });
    assertRefused(result, 'signature_invalid', [SECRET, b64]);
  });

  it('refuses a delivery without the signature header, or without the configured timestamp header', () => {
    assertRefused(verify(plain, { 'x-other': digest(SECRET, BODY) }), 'signature_missing');
    assertRefused(verify(timed, { 'x-signature': timedHeaders()['x-signature']! }), 'signature_missing');
  });

  it('refuses a signature made with another secret', () => {
    assertRefused(verify(plain, { 'x-signature': digest('wrong', BODY) }), 'signature_invalid', [SECRET]);
  });

  it('accepts either secret during a rotation overlap', () => {
    const secrets = [OLD_SECRET, SECRET];
    assertVerified(verify(plain, { 'x-signature': digest(OLD_SECRET, BODY) }, { secrets }));
    assertVerified(verify(plain, { 'x-signature': digest(SECRET, BODY) }, { secrets }));
    assertVerified(verify(timed, timedHeaders(OLD_SECRET), { secrets }));
  });

  it('with a timestamp header, signs `{timestamp}.{body}` and returns the timestamp and a replay key', () => {
    const result = verify(timed, timedHeaders());
    assertVerified(result);
    assert.equal(result.timestamp, NOW_S);
    assert.match(result.replayKey ?? '', new RegExp(`^hmac:${NOW_S}:`));
    assertRefused(
      verify(timed, { 'x-signature': digest(SECRET, BODY), 'x-timestamp': String(NOW_S) }),
      'signature_invalid',
    );
    assertRefused(
      verify(timed, { ...timedHeaders(), 'x-timestamp': String(NOW_S + 1) }),
      'signature_invalid',
    );
  });

  it('refuses timestamps beyond the tolerance in the past and in the future', () => {
    assertVerified(verify(timed, timedHeaders(SECRET, NOW_S - 300)));
    assertVerified(verify(timed, timedHeaders(SECRET, NOW_S + 300)));
    assertRefused(verify(timed, timedHeaders(SECRET, NOW_S - 301)), 'timestamp_stale');
    assertRefused(verify(timed, timedHeaders(SECRET, NOW_S + 301)), 'timestamp_stale');
    const strict: HmacConfig = { ...timed, toleranceSeconds: 5 };
    assertRefused(verify(strict, timedHeaders(SECRET, NOW_S - 6)), 'timestamp_stale');
  });

  it('keeps the replay key for the same request and changes it for a retry signed later', () => {
    const first = verify(timed, timedHeaders());
    const again = verify(timed, timedHeaders(), { nowMs: NOW_MS + 1_000 });
    const retry = verify(timed, timedHeaders(SECRET, NOW_S + 10), { nowMs: NOW_MS + 10_000 });
    assertVerified(first);
    assertVerified(again);
    assertVerified(retry);
    assert.equal(first.replayKey, again.replayKey);
    assert.notEqual(first.replayKey, retry.replayKey);
  });

  it('fails closed on malformed digests and timestamps, empty secrets and a bad tolerance', () => {
    const hex = digest(SECRET, BODY);
    assertRefused(verify(plain, { 'x-signature': `${hex.slice(0, -1)}g` }), 'signature_invalid');
    assertRefused(verify(plain, { 'x-signature': hex.slice(0, -1) }), 'signature_invalid');
    assertRefused(verify(plain, { 'x-signature': hex }, { secrets: [] }), 'signature_invalid');
    assertRefused(verify(plain, { 'x-signature': digest('', BODY) }, { secrets: [''] }), 'signature_invalid');
    assertRefused(verify(timed, { ...timedHeaders(), 'x-timestamp': 'yesterday' }), 'signature_invalid');
    assertRefused(verify({ ...timed, toleranceSeconds: -1 }, timedHeaders()), 'signature_invalid');
  });
});
