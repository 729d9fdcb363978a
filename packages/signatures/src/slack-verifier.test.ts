import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { slackVerifier } from './slack-verifier.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBodyBit,
  flipHexBit,
  NOW_MS,
  NOW_S,
} from './verify-test-kit.ts';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const OLD_SECRET = '0123456789abcdef0123456789abcdef';
const config = { scheme: 'slack' } as const;

/** Slack's documented algorithm: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
function slackHeaders(secret = SECRET, timestamp = NOW_S): Record<string, string> {
  const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`), BODY]);
  return {
    'x-slack-signature': `v0=${createHmac('sha256', secret).update(base).digest('hex')}`,
    'x-slack-request-timestamp': String(timestamp),
  };
}

function verify(
  headers: Record<string, string>,
  {
    secrets = [SECRET],
    rawBody = BODY,
    nowMs = NOW_MS,
    toleranceSeconds = undefined as number | undefined,
  } = {},
) {
  const cfg = toleranceSeconds === undefined ? config : { ...config, toleranceSeconds };
  return slackVerifier.verify(cfg, { rawBody, headers, secrets, nowMs });
}

describe('slack verifier', () => {
  it('accepts a delivery and returns the signed timestamp and a replay key', () => {
    const result = verify(slackHeaders());
    assertVerified(result);
    assert.equal(result.timestamp, NOW_S);
    assert.equal(result.webhookId, null);
    assert.match(result.replayKey ?? '', new RegExp(`^slack:${NOW_S}:`));
  });

  it('refuses a body with one bit changed', () => {
    assertRefused(verify(slackHeaders(), { rawBody: flipBodyBit(BODY) }), 'signature_invalid');
  });

  it('refuses a signature with one bit changed, without echoing the expected one', () => {
    const headers = slackHeaders();
    const good = headers['x-slack-signature']!.slice(3);
    const result = verify({ ...headers, 'x-slack-signature': `v0=${flipHexBit(good)}` });
    assertRefused(result, 'signature_invalid', [SECRET, good]);
  });

  it('refuses a delivery without the signature or the timestamp header', () => {
    const { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp } = slackHeaders();
    assertRefused(verify({ 'x-slack-request-timestamp': timestamp! }), 'signature_missing');
    assertRefused(verify({ 'x-slack-signature': signature! }), 'signature_missing');
  });

  it('refuses a signature made with another secret', () => {
    assertRefused(verify(slackHeaders('wrong')), 'signature_invalid', [SECRET]);
  });

  it('refuses a timestamp changed after signing', () => {
    const headers = { ...slackHeaders(), 'x-slack-request-timestamp': String(NOW_S + 1) };
    assertRefused(verify(headers), 'signature_invalid');
  });

  it('accepts either secret during a rotation overlap', () => {
    assertVerified(verify(slackHeaders(OLD_SECRET), { secrets: [OLD_SECRET, SECRET] }));
    assertVerified(verify(slackHeaders(SECRET), { secrets: [OLD_SECRET, SECRET] }));
  });

  it('refuses timestamps beyond the tolerance in the past and in the future', () => {
    assertVerified(verify(slackHeaders(SECRET, NOW_S - 300)));
    assertVerified(verify(slackHeaders(SECRET, NOW_S + 300)));
    assertRefused(verify(slackHeaders(SECRET, NOW_S - 301)), 'timestamp_stale');
    assertRefused(verify(slackHeaders(SECRET, NOW_S + 301)), 'timestamp_stale');
    assertRefused(verify(slackHeaders(SECRET, NOW_S - 61), { toleranceSeconds: 60 }), 'timestamp_stale');
  });

  it('keeps the replay key for the same request and changes it for a retry signed later', () => {
    const first = verify(slackHeaders());
    const again = verify(slackHeaders(), { nowMs: NOW_MS + 5_000 });
    const retry = verify(slackHeaders(SECRET, NOW_S + 30), { nowMs: NOW_MS + 30_000 });
    assertVerified(first);
    assertVerified(again);
    assertVerified(retry);
    assert.equal(first.replayKey, again.replayKey);
    assert.notEqual(first.replayKey, retry.replayKey);
  });

  it('fails closed on malformed headers and an empty secrets list', () => {
    const headers = slackHeaders();
    assertRefused(verify({ ...headers, 'x-slack-request-timestamp': 'soon' }), 'signature_invalid');
    assertRefused(verify({ ...headers, 'x-slack-request-timestamp': '-1' }), 'signature_invalid');
    assertRefused(verify({ ...headers, 'x-slack-request-timestamp': '1.7e9' }), 'signature_invalid');
    const digest = headers['x-slack-signature']!.slice(3);
    assertRefused(verify({ ...headers, 'x-slack-signature': `v1=${digest}` }), 'signature_invalid');
    assertRefused(verify({ ...headers, 'x-slack-signature': digest }), 'signature_invalid');
    assertRefused(verify(headers, { secrets: [] }), 'signature_invalid');
    assertRefused(verify(headers, { toleranceSeconds: Number.NaN }), 'signature_invalid');
  });
});
