import type { VerificationConfig, VerificationScheme } from '@sluice/core';
import { githubVerifier } from './github-verifier.ts';
import { hmacSha256Verifier } from './hmac-sha256-verifier.ts';
import { shopifyVerifier } from './shopify-verifier.ts';
import { slackVerifier } from './slack-verifier.ts';
import { standardWebhooksVerifier } from './standard-webhooks-verifier.ts';
import { stripeVerifier } from './stripe-verifier.ts';
import {
  fail,
  type Verifier,
  type VerifyFailure,
  type VerifyRequest,
  type VerifyResult,
} from './verifier.ts';

/** The options of one scheme. */
export type ConfigOf<S extends VerificationScheme> = Extract<VerificationConfig, { scheme: S }>;

/** One verifier per scheme; the mapped type makes a scheme without a verifier a compile error. */
export type SchemeRegistry = { readonly [S in VerificationScheme]: Verifier<ConfigOf<S>> };

/** Every verification scheme Sluice ships. A new scheme is one verifier file plus one line here. */
export const SCHEME_REGISTRY: SchemeRegistry = {
  'hmac-sha256': hmacSha256Verifier,
  'standard-webhooks': standardWebhooksVerifier,
  stripe: stripeVerifier,
  github: githubVerifier,
  shopify: shopifyVerifier,
  slack: slackVerifier,
};

/**
 * Verifies one delivery against a connection's verification config and secrets. Never throws: anything
 * missing, malformed or unknown (including a scheme this build does not know) is a failure result.
 */
export function verifyWebhook(config: VerificationConfig, request: VerifyRequest): VerifyResult {
  switch (config.scheme) {
    case 'hmac-sha256':
      return SCHEME_REGISTRY['hmac-sha256'].verify(config, request);
    case 'standard-webhooks':
      return SCHEME_REGISTRY['standard-webhooks'].verify(config, request);
    case 'stripe':
      return SCHEME_REGISTRY.stripe.verify(config, request);
    case 'github':
      return SCHEME_REGISTRY.github.verify(config, request);
    case 'shopify':
      return SCHEME_REGISTRY.shopify.verify(config, request);
    case 'slack':
      return SCHEME_REGISTRY.slack.verify(config, request);
    default:
      return unknownScheme(config);
  }
}

/** Compile-time: every scheme has a case above. Run time: a config from storage may name anything. */
function unknownScheme(config: never): VerifyFailure {
  const scheme = (config as { scheme?: unknown } | null)?.scheme;
  return fail('signature_invalid', `Unknown verification scheme ${JSON.stringify(scheme)}.`);
}
