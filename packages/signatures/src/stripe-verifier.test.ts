import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripeVerifier } from './stripe-verifier.ts';
import {
  STRIPE_OLD_SECRET as OLD_SECRET,
  STRIPE_SECRET as SECRET,
  stripeHeader,
  v1Of,
} from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS, NOW_S } from './testing/verify-test-kit.ts';

/** What only stripe does; what every scheme does is in verifier-contract.test.ts. */

const config = { scheme: 'stripe' } as const;

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

  it('refuses an empty Stripe-Signature header as missing', () => {
    assertRefused(verify(''), 'signature_missing');
  });

  it('accepts a header with several v1 entries when any one matches', () => {
    const rolled = `t=${NOW_S},v1=${v1Of(stripeHeader(OLD_SECRET))},v1=${v1Of(stripeHeader(SECRET))},v0=abc`;
    assertVerified(verify(rolled, { secrets: [SECRET] }));
    assertVerified(verify(rolled, { secrets: [OLD_SECRET] }));
    assertRefused(verify(rolled, { secrets: ['whsec_other'] }), 'signature_invalid');
  });

  it('honours a configured tolerance', () => {
    assertVerified(verify(stripeHeader(SECRET, NOW_S - 900), { toleranceSeconds: 900 }));
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
