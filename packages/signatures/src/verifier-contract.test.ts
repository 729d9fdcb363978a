import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyWebhook } from './scheme-registry.ts';
import { VERIFIER_CASES } from './testing/verifier-cases.ts';
import {
  assertRefused,
  assertVerified,
  BODY,
  flipBodyBit,
  NOW_MS,
  NOW_S,
} from './testing/verify-test-kit.ts';

/**
 * What every verifier in the registry must do, whatever its scheme: the cases each scheme's own tests used to
 * repeat. What only one scheme does stays in that scheme's test file.
 */

for (const [scheme, cases] of Object.entries(VERIFIER_CASES)) {
  for (const c of cases) {
    describe(`${c.name} verifier: what every scheme does`, () => {
      const verify = (
        headers: Record<string, string>,
        { secrets = [c.secret], rawBody = BODY, nowMs = NOW_MS } = {},
      ) => verifyWebhook(c.config, { rawBody, headers, secrets, nowMs });

      it('is the registry entry of its scheme', () => {
        assert.equal(c.config.scheme, scheme);
      });

      it('accepts what the provider signs', async () => {
        assertVerified(verify(await c.sign(c.secret, NOW_S)));
      });

      it('refuses a body with one bit changed', async () => {
        const headers = await c.sign(c.secret, NOW_S);
        assertRefused(verify(headers, { rawBody: flipBodyBit(BODY) }), 'signature_invalid');
      });

      it('refuses a signature with one bit changed, without echoing the expected one', async () => {
        const headers = await c.sign(c.secret, NOW_S);
        const { forged, digest } = c.flip(headers[c.signatureHeader] ?? '');
        const result = verify({ ...headers, [c.signatureHeader]: forged });
        assertRefused(result, 'signature_invalid', [...c.secretForms, digest]);
      });

      it('refuses a delivery missing any header it signs with', async () => {
        for (const name of c.requiredHeaders) {
          const { [name]: _removed, ...rest } = await c.sign(c.secret, NOW_S);
          assertRefused(verify(rest), 'signature_missing');
        }
      });

      it('refuses a signature made with another secret', async () => {
        assertRefused(verify(await c.sign(c.oldSecret, NOW_S)), 'signature_invalid', [...c.secretForms]);
      });

      it('accepts either secret during a rotation overlap', async () => {
        const secrets = [c.oldSecret, c.secret];
        assertVerified(verify(await c.sign(c.oldSecret, NOW_S), { secrets }));
        assertVerified(verify(await c.sign(c.secret, NOW_S), { secrets }));
      });

      const retime = c.retime;
      if (retime === undefined) return;

      it('refuses a timestamp changed after signing', async () => {
        const headers = await c.sign(c.secret, NOW_S);
        assertRefused(verify(retime(headers, NOW_S + 1)), 'signature_invalid');
        assertRefused(verify(retime(headers, NOW_S - 1)), 'signature_invalid');
      });

      it('refuses timestamps beyond the default tolerance of 300 s in the past and in the future', async () => {
        assertVerified(verify(await c.sign(c.secret, NOW_S - 300)));
        assertVerified(verify(await c.sign(c.secret, NOW_S + 300)));
        assertRefused(verify(await c.sign(c.secret, NOW_S - 301)), 'timestamp_stale');
        assertRefused(verify(await c.sign(c.secret, NOW_S + 301)), 'timestamp_stale');
      });

      it('keeps the replay key for the same request and changes it for a retry signed later', async () => {
        const first = verify(await c.sign(c.secret, NOW_S));
        const again = verify(await c.sign(c.secret, NOW_S), { nowMs: NOW_MS + 5_000 });
        const retry = verify(await c.sign(c.secret, NOW_S + 30), { nowMs: NOW_MS + 30_000 });
        assertVerified(first);
        assertVerified(again);
        assertVerified(retry);
        assert.equal(first.replayKey, again.replayKey);
        assert.notEqual(first.replayKey, retry.replayKey);
      });
    });
  }
}
