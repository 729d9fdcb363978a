import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { githubVerifier } from './github-verifier.ts';
import { GITHUB_SECRET as SECRET, githubHeaders as signedHeaders } from './testing/verifier-cases.ts';
import { assertRefused, assertVerified, BODY, NOW_MS } from './testing/verify-test-kit.ts';

/** What only github does; what every scheme does is in verifier-contract.test.ts. */

const config = { scheme: 'github' } as const;

function verify(headers: Record<string, string>, secrets: string[] = [SECRET], rawBody = BODY) {
  return githubVerifier.verify(config, { rawBody, headers, secrets, nowMs: NOW_MS });
}

describe('github verifier (signed by @octokit/webhooks-methods)', () => {
  it('accepts a delivery and returns X-GitHub-Delivery as the webhook id, without a replay key', async () => {
    const result = verify(await signedHeaders());
    assertVerified(result);
    assert.deepEqual(result, { ok: true, replayKey: null, webhookId: 'delivery-1', timestamp: null });
  });

  it('refuses the legacy sha1 header alone', () => {
    assertRefused(verify({ 'x-hub-signature': 'sha1=0123' }), 'signature_missing');
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
