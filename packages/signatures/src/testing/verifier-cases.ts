import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign as signGitHub } from '@octokit/webhooks-methods';
import type { VerificationConfig, VerificationScheme } from '@sluice/core';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { BODY, flipBase64Bit, flipHexBit, NOW_S, PAYLOAD } from './verify-test-kit.ts';

/**
 * How each scheme's deliveries are signed, by the provider's own library where there is one (its documented
 * algorithm where there is not), for the shared verifier cases and the scheme-specific tests alike.
 */

type Headers = Record<string, string>;

/** One way of signing a scheme, as the shared verifier cases drive it. */
export interface VerifierCase {
  /** What the suite is called: the scheme, and the options when a scheme has several cases. */
  readonly name: string;
  readonly config: VerificationConfig;
  readonly secret: string;
  /** A second secret: the previous one in a rotation, or a wrong one when it is not configured. */
  readonly oldSecret: string;
  /** The headers the provider sends with {@link BODY}, signed with `secret` at `timestamp` (seconds). */
  sign(secret: string, timestamp: number): Headers | Promise<Headers>;
  /** The header that carries the signature. */
  readonly signatureHeader: string;
  /** The headers without any one of which a delivery is `signature_missing`. */
  readonly requiredHeaders: ReadonlyArray<string>;
  /** The signature header's value with one bit of its digest changed, and that digest as sent. */
  flip(value: string): { readonly forged: string; readonly digest: string };
  /** What a refusal's message must never contain besides the digest: the secret, in every form it takes. */
  readonly secretForms: ReadonlyArray<string>;
  /** Present for a scheme that signs a timestamp: the headers with the timestamp changed after signing. */
  readonly retime?: (headers: Headers, timestamp: number) => Headers;
}

const hmacHex = (secret: string, content: Buffer): string =>
  createHmac('sha256', secret).update(content).digest('hex');
const hmacBase64 = (secret: string, content: Buffer): string =>
  createHmac('sha256', secret).update(content).digest('base64');
const flipAfter =
  (prefix: string, flip: (digest: string) => string) =>
  (value: string): { forged: string; digest: string } => {
    const digest = value.slice(prefix.length);
    return { forged: `${prefix}${flip(digest)}`, digest };
  };

export const GITHUB_SECRET = 'It’s a Secret to Everybody';
/** Signed by @octokit/webhooks-methods, with a fixed X-GitHub-Delivery. */
export async function githubHeaders(secret = GITHUB_SECRET): Promise<Headers> {
  return { 'x-hub-signature-256': await signGitHub(secret, PAYLOAD), 'x-github-delivery': 'delivery-1' };
}

export const SHOPIFY_SECRET = 'shpss_0123456789abcdef';
export const SHOPIFY_WEBHOOK_ID = 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043';
/** Shopify's documented algorithm: base64 of HMAC-SHA256 over the raw body with the app's client secret. */
export function shopifyHeaders(secret = SHOPIFY_SECRET, body = BODY): Headers {
  return { 'x-shopify-hmac-sha256': hmacBase64(secret, body), 'x-shopify-webhook-id': SHOPIFY_WEBHOOK_ID };
}

export const HMAC_SECRET = '5f0c0a4e3c1b6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e';
type HmacConfig = Extract<VerificationConfig, { scheme: 'hmac-sha256' }>;
/** A hex digest of the body in `X-Signature`. */
export const HMAC_PLAIN: HmacConfig = { scheme: 'hmac-sha256', header: 'X-Signature' };
/** A `sha256=`-prefixed base64 digest of the body. */
export const HMAC_PREFIXED: HmacConfig = {
  scheme: 'hmac-sha256',
  header: 'x-signature',
  prefix: 'sha256=',
  encoding: 'base64',
};
/** A hex digest of `{timestamp}.{body}`, the timestamp in `X-Timestamp`. */
export const HMAC_TIMED: HmacConfig = {
  scheme: 'hmac-sha256',
  header: 'x-signature',
  timestampHeader: 'X-Timestamp',
};
/** The headers of {@link HMAC_TIMED}. */
export function hmacTimedHeaders(secret = HMAC_SECRET, timestamp = NOW_S): Headers {
  const content = Buffer.concat([Buffer.from(`${timestamp}.`), BODY]);
  return { 'x-signature': hmacHex(secret, content), 'x-timestamp': String(timestamp) };
}

export const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
/** Slack's documented algorithm: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret. */
export function slackHeaders(secret = SLACK_SECRET, timestamp = NOW_S): Headers {
  const base = Buffer.concat([Buffer.from(`v0:${timestamp}:`), BODY]);
  return {
    'x-slack-signature': `v0=${hmacHex(secret, base)}`,
    'x-slack-request-timestamp': String(timestamp),
  };
}

// The secret of the specification's own example test vector.
export const STANDARD_WEBHOOKS_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
export const STANDARD_WEBHOOKS_OLD_SECRET = 'whsec_dGhlIHByZXZpb3VzIHNpZ25pbmcga2V5ISE=';
export const MSG_ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
/** Signed by the standardwebhooks reference library. */
export function standardWebhooksHeaders(
  secret = STANDARD_WEBHOOKS_SECRET,
  timestamp = NOW_S,
  msgId = MSG_ID,
): Headers {
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': new Webhook(secret).sign(msgId, new Date(timestamp * 1000), PAYLOAD),
  };
}

export const STRIPE_SECRET = 'whsec_test_secret_0123456789';
export const STRIPE_OLD_SECRET = 'whsec_previous_secret_abcdef';
/** A `Stripe-Signature` value from stripe's generateTestHeaderString. */
export function stripeHeader(secret = STRIPE_SECRET, timestamp = NOW_S): string {
  return Stripe.webhooks.generateTestHeaderString({ payload: PAYLOAD, secret, timestamp });
}
/** The `v1=` digest of a Stripe header. */
export function v1Of(header: string): string {
  const entry = header.split(',').find((item) => item.startsWith('v1='));
  assert.ok(entry !== undefined);
  return entry.slice(3);
}

/** Every scheme's cases; the mapped type makes a scheme without one a compile error. */
export const VERIFIER_CASES: { readonly [S in VerificationScheme]: ReadonlyArray<VerifierCase> } = {
  'hmac-sha256': [
    {
      name: 'hmac-sha256 (hex digest of the body)',
      config: HMAC_PLAIN,
      secret: HMAC_SECRET,
      oldSecret: 'previous-secret',
      sign: (secret) => ({ 'x-signature': hmacHex(secret, BODY) }),
      signatureHeader: 'x-signature',
      requiredHeaders: ['x-signature'],
      flip: (value) => ({ forged: flipHexBit(value), digest: value }),
      secretForms: [HMAC_SECRET],
    },
    {
      name: 'hmac-sha256 (prefixed base64 digest)',
      config: HMAC_PREFIXED,
      secret: HMAC_SECRET,
      oldSecret: 'previous-secret',
      sign: (secret) => ({ 'x-signature': `sha256=${hmacBase64(secret, BODY)}` }),
      signatureHeader: 'x-signature',
      requiredHeaders: ['x-signature'],
      flip: flipAfter('sha256=', flipBase64Bit),
      secretForms: [HMAC_SECRET],
    },
    {
      name: 'hmac-sha256 (timestamped)',
      config: HMAC_TIMED,
      secret: HMAC_SECRET,
      oldSecret: 'previous-secret',
      sign: hmacTimedHeaders,
      signatureHeader: 'x-signature',
      requiredHeaders: ['x-signature', 'x-timestamp'],
      flip: (value) => ({ forged: flipHexBit(value), digest: value }),
      secretForms: [HMAC_SECRET],
      retime: (headers, timestamp) => ({ ...headers, 'x-timestamp': String(timestamp) }),
    },
  ],
  'standard-webhooks': [
    {
      name: 'standard-webhooks',
      config: { scheme: 'standard-webhooks' },
      secret: STANDARD_WEBHOOKS_SECRET,
      oldSecret: STANDARD_WEBHOOKS_OLD_SECRET,
      sign: (secret, timestamp) => standardWebhooksHeaders(secret, timestamp),
      signatureHeader: 'webhook-signature',
      requiredHeaders: ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      flip: flipAfter('v1,', flipBase64Bit),
      secretForms: [STANDARD_WEBHOOKS_SECRET, STANDARD_WEBHOOKS_SECRET.slice('whsec_'.length)],
      retime: (headers, timestamp) => ({ ...headers, 'webhook-timestamp': String(timestamp) }),
    },
  ],
  stripe: [
    {
      name: 'stripe',
      config: { scheme: 'stripe' },
      secret: STRIPE_SECRET,
      oldSecret: STRIPE_OLD_SECRET,
      sign: (secret, timestamp) => ({ 'stripe-signature': stripeHeader(secret, timestamp) }),
      signatureHeader: 'stripe-signature',
      requiredHeaders: ['stripe-signature'],
      flip: (value) => {
        const digest = v1Of(value);
        return { forged: `t=${NOW_S},v1=${flipHexBit(digest)}`, digest };
      },
      secretForms: [STRIPE_SECRET],
      retime: (headers, timestamp) => ({
        'stripe-signature': `t=${timestamp},v1=${v1Of(headers['stripe-signature'] ?? '')}`,
      }),
    },
  ],
  github: [
    {
      name: 'github',
      config: { scheme: 'github' },
      secret: GITHUB_SECRET,
      oldSecret: 'the previous secret',
      sign: (secret) => githubHeaders(secret),
      signatureHeader: 'x-hub-signature-256',
      requiredHeaders: ['x-hub-signature-256'],
      flip: flipAfter('sha256=', flipHexBit),
      secretForms: [GITHUB_SECRET],
    },
  ],
  shopify: [
    {
      name: 'shopify',
      config: { scheme: 'shopify' },
      secret: SHOPIFY_SECRET,
      oldSecret: 'shpss_previous',
      sign: (secret) => shopifyHeaders(secret),
      signatureHeader: 'x-shopify-hmac-sha256',
      requiredHeaders: ['x-shopify-hmac-sha256'],
      flip: (value) => ({ forged: flipBase64Bit(value), digest: value }),
      secretForms: [SHOPIFY_SECRET],
    },
  ],
  slack: [
    {
      name: 'slack',
      config: { scheme: 'slack' },
      secret: SLACK_SECRET,
      oldSecret: '0123456789abcdef0123456789abcdef',
      sign: slackHeaders,
      signatureHeader: 'x-slack-signature',
      requiredHeaders: ['x-slack-signature', 'x-slack-request-timestamp'],
      flip: flipAfter('v0=', flipHexBit),
      secretForms: [SLACK_SECRET],
      retime: (headers, timestamp) => ({ ...headers, 'x-slack-request-timestamp': String(timestamp) }),
    },
  ],
};
