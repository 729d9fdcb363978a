import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slackVerifier } from './slack-verifier.ts';
import { SLACK_SECRET as SECRET, slackHeaders } from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS, NOW_S } from './testing/verify-test-kit.ts';

/** What only slack does; what every scheme does is in verifier-contract.test.ts. */

const config = { scheme: 'slack' } as const;

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

  it('refuses timestamps beyond a configured tolerance', () => {
    assertRefused(verify(slackHeaders(SECRET, NOW_S - 61), { toleranceSeconds: 60 }), 'timestamp_stale');
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
