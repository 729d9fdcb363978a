import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Stripe from 'stripe';
import { stripeVerifier } from './stripe-verifier.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBodyBit,
  flipHexBit,
  NOW_MS,
  NOW_S,
  PAYLOAD,
} from './verify-test-kit.ts';

const SECRET = 'whsec_test_secret_0123456789';
const OLD_SECRET = 'whsec_previous_secret_abcdef';
const config = { scheme: 'stripe' } as const;

function stripeHeader(secret = SECRET, timestamp = NOW_S): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: PAYLOAD, secret, timestamp });
}

/** The `v1=` digest of a Stripe header. */
function v1Of(header: string): string {
  const entry = header.split(',').find((item) => item.startsWith('v1='));
  assert.ok(entry !== undefined);
  return entry.slice(3);
}

function verify(
  header: string | undefined,
  {
    secrets = [SECRET],
    rawBody = BODY,
    nowMs = NOW_MS,
    toleranceSeconds = undefined as number | undefined,
  } = {},
) {
  const cfg = toleranceSeconds === undefined ? config : { ...config, toleranceSeconds };
  const headers: Record<string, string> = header === undefined ? {} : { 'stripe-signature': header };
  return stripeVerifier.verify(cfg, { rawBody, headers, secrets, nowMs });
}

describe("stripe verifier (signed by stripe's generateTestHeaderString)", () => {
  it('accepts a delivery and returns the signed timestamp and a replay key', () => {
    const result = verify(stripeHeader());
    assertVerified(result);
    assert.equal(result.timestamp, NOW_S);
    assert.equal(result.webhookId, null);
    assert.match(result.replayKey ?? '', new RegExp(`^stripe:${NOW_S}:`));
  });

  it('refuses a body with one bit changed', () => {
    assertRefused(verify(stripeHeader(), { rawBody: flipBodyBit(BODY) }), 'signature_invalid');
  });

  it('refuses a signature with one bit changed, without echoing the expected one', () => {
    const good = v1Of(stripeHeader());
    const result = verify(`t=${NOW_S},v1=${flipHexBit(good)}`);
    assertRefused(result, 'signature_invalid', [SECRET, good]);
  });

  it('refuses a delivery without the Stripe-Signature header', () => {
    assertRefused(verify(undefined), 'signature_missing');
    assertRefused(verify(''), 'signature_missing');
  });

  it('refuses a signature made with another secret', () => {
    assertRefused(verify(stripeHeader('whsec_wrong')), 'signature_invalid', [SECRET]);
  });

  it('refuses a timestamp changed after signing', () => {
    assertRefused(verify(`t=${NOW_S + 1},v1=${v1Of(stripeHeader())}`), 'signature_invalid');
  });

  it('accepts either secret during a rotation overlap, and a header with several v1 entries', () => {
    assertVerified(verify(stripeHeader(OLD_SECRET), { secrets: [OLD_SECRET, SECRET] }));
    assertVerified(verify(stripeHeader(SECRET), { secrets: [OLD_SECRET, SECRET] }));
    const rolled = `t=${NOW_S},v1=${v1Of(stripeHeader(OLD_SECRET))},v1=${v1Of(stripeHeader(SECRET))},v0=abc`;
    assertVerified(verify(rolled, { secrets: [SECRET] }));
    assertVerified(verify(rolled, { secrets: [OLD_SECRET] }));
    assertRefused(verify(rolled, { secrets: ['whsec_other'] }), 'signature_invalid');
  });

  it('refuses timestamps beyond the tolerance in the past and in the future', () => {
    assertVerified(verify(stripeHeader(SECRET, NOW_S - 300)));
    assertVerified(verify(stripeHeader(SECRET, NOW_S + 300)));
    assertRefused(verify(stripeHeader(SECRET, NOW_S - 301)), 'timestamp_stale');
    assertRefused(verify(stripeHeader(SECRET, NOW_S + 301)), 'timestamp_stale');
    assertVerified(verify(stripeHeader(SECRET, NOW_S - 900), { toleranceSeconds: 900 }));
  });

  it('keeps the replay key for the same request and changes it for a retry signed later', () => {
    const first = verify(stripeHeader());
    const again = verify(stripeHeader(), { nowMs: NOW_MS + 5_000 });
    const retry = verify(stripeHeader(SECRET, NOW_S + 60), { nowMs: NOW_MS + 60_000 });
    assertVerified(first);
    assertVerified(again);
    assertVerified(retry);
    assert.equal(first.replayKey, again.replayKey);
    assert.notEqual(first.replayKey, retry.replayKey);
  });

  it('gives the same replay key whichever v1 entry matches, so trimming the header does not replay', () => {
    const oldV1 = v1Of(stripeHeader(OLD_SECRET));
    const newV1 = v1Of(stripeHeader(SECRET));
    const secrets = [OLD_SECRET, SECRET];
    const both = verify(`t=${NOW_S},v1=${oldV1},v1=${newV1}`, { secrets });
    const newOnly = verify(`t=${NOW_S},v1=${newV1}`, { secrets });
    assertVerified(both);
    assertVerified(newOnly);
    assert.equal(both.replayKey, newOnly.replayKey);
  });

  it('fails closed on malformed headers and an empty secrets list', () => {
    const v1 = v1Of(stripeHeader());
    assertRefused(verify(`v1=${v1}`), 'signature_invalid');
    assertRefused(verify(`t=${NOW_S}`), 'signature_invalid');
    assertRefused(verify(`t=${NOW_S},v0=${v1}`), 'signature_invalid');
    assertRefused(verify(`t=${NOW_S},t=${NOW_S},v1=${v1}`), 'signature_invalid');
    assertRefused(verify(`t=soon,v1=${v1}`), 'signature_invalid');
    assertRefused(verify(`t=${NOW_S},v1=${v1},garbage`), 'signature_invalid');
    assertRefused(verify(`t=${NOW_S},v1=${v1.slice(0, -1)}`), 'signature_invalid');
    assertRefused(verify(stripeHeader(), { secrets: [] }), 'signature_invalid');
  });
});
