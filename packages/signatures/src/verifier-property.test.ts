import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { verifyWebhook } from './scheme-registry.ts';
import { decodeBase64 } from './signature-crypto.ts';
import { signWebhook } from './signers.ts';
import { VERIFIER_CASES } from './testing/verifier-cases.ts';
import { NOW_MS } from './testing/verify-test-kit.ts';

/**
 * Every scheme's verifier against its signer, on arbitrary bodies: what is signed verifies, and changing
 * any one byte of the body, or any one character of the signature header, never does (a hex digest's
 * letter case aside: it names the same digest). Bounded runs.
 */
const RUNS = { numRuns: 60 };
const body = fc.uint8Array({ minLength: 0, maxLength: 300 }).map((bytes) => Buffer.from(bytes));

for (const cases of Object.values(VERIFIER_CASES)) {
  for (const c of cases) {
    describe(`${c.name}: sign → verify, and single-byte changes`, () => {
      const signed = (rawBody: Buffer) =>
        signWebhook(c.config, { secret: c.secret, rawBody, nowMs: NOW_MS, webhookId: 'msg_property' });
      const verify = (rawBody: Buffer, headers: Record<string, string>) =>
        verifyWebhook(c.config, { rawBody, headers, secrets: [c.secret], nowMs: NOW_MS });

      it('verifies what it signed', () => {
        fc.assert(
          fc.property(body, (rawBody) => {
            const result = verify(rawBody, signed(rawBody));
            assert.equal(result.ok, true, JSON.stringify(result));
          }),
          RUNS,
        );
      });

      it('refuses the body with any one byte changed', () => {
        fc.assert(
          fc.property(
            body.filter((b) => b.length > 0),
            fc.nat(),
            fc.integer({ min: 1, max: 255 }),
            (rawBody, at, xor) => {
              const headers = signed(rawBody);
              const changed = Buffer.from(rawBody);
              const i = at % changed.length;
              changed[i] = (changed[i] ?? 0) ^ xor;
              assert.equal(verify(changed, headers).ok, false);
            },
          ),
          RUNS,
        );
      });

      it('refuses the signature header with any one character changed (hex letter case aside)', () => {
        fc.assert(
          fc.property(body, fc.nat(), fc.integer({ min: 0x21, max: 0x7e }), (rawBody, at, code) => {
            const headers = signed(rawBody);
            const value = headers[c.signatureHeader] ?? '';
            const i = at % value.length;
            const replacement = String.fromCharCode(code);
            fc.pre(value[i] !== replacement);
            // Hex digests are read case-insensitively by design: `A` and `a` are the same nibble.
            const hexCase =
              /[0-9a-f]/i.test(value[i] ?? '') && replacement.toLowerCase() === value[i]?.toLowerCase();
            fc.pre(!hexCase);
            const forged = `${value.slice(0, i)}${replacement}${value.slice(i + 1)}`;
            const result = verify(rawBody, { ...headers, [c.signatureHeader]: forged });
            assert.equal(result.ok, false, `${value} → ${forged} verified`);
          }),
          RUNS,
        );
      });
    });
  }
}

describe('base64 signatures have one spelling', () => {
  it('refuses a digest whose last character differs only in unused bits', () => {
    const digest = Buffer.alloc(32, 7).toString('base64'); // 44 characters, one '=' of padding
    assert.ok(decodeBase64(digest) !== null);
    const last = digest.at(-2) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sameBits = alphabet[(alphabet.indexOf(last) & ~0b11) | 0b01] ?? 'A';
    const twin = `${digest.slice(0, -2)}${sameBits}=`;
    assert.deepEqual(
      Buffer.from(twin, 'base64'),
      Buffer.from(digest, 'base64'),
      'Node decodes both the same',
    );
    assert.equal(decodeBase64(twin), null);
  });
});
