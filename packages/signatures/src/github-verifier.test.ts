import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { sign } from '@octokit/webhooks-methods';
import { githubVerifier } from './github-verifier.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBodyBit,
  flipHexBit,
  NOW_MS,
  PAYLOAD,
} from './verify-test-kit.ts';

const SECRET = 'It’s a Secret to Everybody';
const OLD_SECRET = 'the previous secret';
const config = { scheme: 'github' } as const;

async function signedHeaders(secret = SECRET): Promise<Record<string, string>> {
  return { 'x-hub-signature-256': await sign(secret, PAYLOAD), 'x-github-delivery': 'delivery-1' };
}

function verify(headers: Record<string, string>, secrets: string[] = [SECRET], rawBody = BODY) {
  return githubVerifier.verify(config, { rawBody, headers, secrets, nowMs: NOW_MS });
}

describe('github verifier (signed by @octokit/webhooks-methods)', () => {
  it('accepts a delivery and returns X-GitHub-Delivery as the webhook id, without a replay key', async () => {
    const result = verify(await signedHeaders());
    assertVerified(result);
    assert.deepEqual(result, { ok: true, replayKey: null, webhookId: 'delivery-1', timestamp: null });
  });

  it('refuses a body with one bit changed', async () => {
    assertRefused(verify(await signedHeaders(), [SECRET], flipBodyBit(BODY)), 'signature_invalid');
  });

  it('refuses a signature with one bit changed, without echoing the expected one', async () => {
    const headers = await signedHeaders();
    const good = headers['x-hub-signature-256']!;
    const bad = `sha256=${flipHexBit(good.slice('sha256='.length))}`;
    assertRefused(verify({ ...headers, 'x-hub-signature-256': bad }), 'signature_invalid', [
      SECRET,
      good.slice(7),
    ]);
  });

  it('refuses a delivery without the signature header', () => {
    assertRefused(verify({ 'x-github-delivery': 'delivery-1' }), 'signature_missing');
  });

  it('refuses the legacy sha1 header alone', () => {
    assertRefused(verify({ 'x-hub-signature': 'sha1=0123' }), 'signature_missing');
  });

  it('refuses a signature made with another secret', async () => {
    assertRefused(verify(await signedHeaders('wrong')), 'signature_invalid', [SECRET]);
  });

  it('accepts either secret during a rotation overlap', async () => {
    assertVerified(verify(await signedHeaders(OLD_SECRET), [OLD_SECRET, SECRET]));
    assertVerified(verify(await signedHeaders(SECRET), [OLD_SECRET, SECRET]));
  });

  it('fails closed on malformed headers and on an empty secrets list', async () => {
    const good = (await signedHeaders())['x-hub-signature-256']!;
    assertRefused(verify({ 'x-hub-signature-256': good.slice(7) }), 'signature_invalid');
    assertRefused(verify({ 'x-hub-signature-256': `sha256=${good.slice(7, -1)}z` }), 'signature_invalid');
    assertRefused(verify({ 'x-hub-signature-256': 'sha256=' }), 'signature_invalid');
    assertRefused(verify({ 'x-hub-signature-256': good.slice(0, -2) }), 'signature_invalid');
    assertRefused(verify(await signedHeaders(), []), 'signature_invalid');
    // An empty key would let anyone sign: a delivery signed with one is refused even when '' is configured.
    const emptyKeyDigest = createHmac('sha256', '').update(BODY).digest('hex');
    assertRefused(verify({ 'x-hub-signature-256': `sha256=${emptyKeyDigest}` }, ['']), 'signature_invalid');
  });

  it('accepts an upper-case hex digest (the same bytes)', async () => {
    const good = (await signedHeaders())['x-hub-signature-256']!;
    assertVerified(verify({ 'x-hub-signature-256': `sha256=${good.slice(7).toUpperCase()}` }));
  });
});
