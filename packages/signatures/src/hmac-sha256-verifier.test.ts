import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import type { VerificationConfig } from '@sluice/core';
import { hmacSha256Verifier } from './hmac-sha256-verifier.ts';
import {
  HMAC_PLAIN as plain,
  HMAC_PREFIXED as prefixed,
  HMAC_SECRET as SECRET,
  HMAC_TIMED as timed,
  hmacTimedHeaders as timedHeaders,
} from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS, NOW_S } from './testing/verify-test-kit.ts';

/** What only hmac-sha256 does; what every scheme does is in verifier-contract.test.ts. */

type HmacConfig = Extract<VerificationConfig, { scheme: 'hmac-sha256' }>;

function digest(secret: string, content: Buffer, encoding: 'hex' | 'base64' = 'hex'): string {
  return createHmac('sha256', secret).update(content).digest(encoding);
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

  it('refuses timestamps beyond a configured tolerance', () => {
    const strict: HmacConfig = { ...timed, toleranceSeconds: 5 };
    assertRefused(verify(strict, timedHeaders(SECRET, NOW_S - 6)), 'timestamp_stale');
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
