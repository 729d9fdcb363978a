import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { standardWebhooksVerifier } from './standard-webhooks-verifier.ts';
import {
  MSG_ID,
  STANDARD_WEBHOOKS_OLD_SECRET as OLD_SECRET,
  STANDARD_WEBHOOKS_SECRET as SECRET,
  standardWebhooksHeaders as swHeaders,
} from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS, NOW_S } from './testing/verify-test-kit.ts';

/** What only standard-webhooks does; what every scheme does is in verifier-contract.test.ts. */

const config = { scheme: 'standard-webhooks' } as const;

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
  return standardWebhooksVerifier.verify(cfg, { rawBody, headers, secrets, nowMs });
}

describe('standard-webhooks verifier (signed by the standardwebhooks library)', () => {
  it("matches the reference library's own test vector", () => {
    const body = Buffer.from('{"test": 2432232314}');
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const result = standardWebhooksVerifier.verify(config, {
      rawBody: body,
      headers,
      secrets: [SECRET],
      nowMs: 1614265330_000,
    });
    assertVerified(result);
  });

  it('accepts a delivery and returns webhook-id, the timestamp and a replay key', () => {
    const result = verify(swHeaders());
    assertVerified(result);
    assert.deepEqual(result, {
      ok: true,
      replayKey: `sw:${MSG_ID}:${NOW_S}`,
      webhookId: MSG_ID,
      timestamp: NOW_S,
    });
  });

  it('refuses a webhook-id changed after signing', () => {
    assertRefused(verify({ ...swHeaders(), 'webhook-id': 'msg_other' }), 'signature_invalid');
  });

  it('accepts a header carrying one signature per key, and ignores v1a and unknown entries', () => {
    const oldSignature = swHeaders(OLD_SECRET)['webhook-signature']!;
    const newSignature = swHeaders(SECRET)['webhook-signature']!;
    const v1a =
      'v1a,hnO3f9T8Ytu9HwrXslvumlUpqtNVqkhqw/enGzPCXe5BdqzCInXqYXFymVJaA7AZdpXwVLPo3mNl8EM+m7TBAg==';
    const header = `${v1a} ${oldSignature} v2,xyz ${newSignature}`;
    assertVerified(verify({ ...swHeaders(), 'webhook-signature': header }, { secrets: [SECRET] }));
    assertVerified(verify({ ...swHeaders(), 'webhook-signature': header }, { secrets: [OLD_SECRET] }));
    assertRefused(verify({ ...swHeaders(), 'webhook-signature': v1a }), 'signature_invalid');
  });

  it('refuses timestamps beyond a configured tolerance', () => {
    assertRefused(verify(swHeaders(SECRET, NOW_S - 11), { toleranceSeconds: 10 }), 'timestamp_stale');
  });

  it('keeps the webhook id for a retry signed later', () => {
    const first = verify(swHeaders());
    const retry = verify(swHeaders(SECRET, NOW_S + 5), { nowMs: NOW_MS + 5_000 });
    assertVerified(first);
    assertVerified(retry);
    assert.equal(retry.webhookId, first.webhookId);
  });

  it('fails closed on malformed timestamps, bad base64, unusable secrets and an empty secrets list', () => {
    const headers = swHeaders();
    assertRefused(verify({ ...headers, 'webhook-timestamp': 'now' }), 'signature_invalid');
    assertRefused(verify({ ...headers, 'webhook-timestamp': `${NOW_S}.5` }), 'signature_invalid');
    assertRefused(verify({ ...headers, 'webhook-signature': 'v1,@@@@' }), 'signature_invalid');
    assertRefused(
      verify({ ...headers, 'webhook-signature': headers['webhook-signature']!.replace(',', ' ') }),
      'signature_invalid',
    );
    assertRefused(verify(headers, { secrets: [] }), 'signature_invalid');
    assertRefused(verify(headers, { secrets: ['whsec_not base64!'] }), 'signature_invalid');
    assertRefused(verify(headers, { secrets: ['whsec_'] }), 'signature_invalid');
    // One unusable secret beside a good one does not stop the good one verifying.
    assertVerified(verify(headers, { secrets: ['whsec_!!', SECRET] }));
  });

  it('accepts a secret without the whsec_ prefix, as the reference library does', () => {
    assertVerified(verify(swHeaders(), { secrets: [SECRET.slice('whsec_'.length)] }));
  });
});
