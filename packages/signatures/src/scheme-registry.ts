import type { VerificationConfig, VerificationScheme } from '@sluice/core';
import { githubVerifier } from './github-verifier.ts';
import { hmacSha256Verifier } from './hmac-sha256-verifier.ts';
import { shopifyVerifier } from './shopify-verifier.ts';
import { slackVerifier } from './slack-verifier.ts';
import { standardWebhooksVerifier } from './standard-webhooks-verifier.ts';
import { stripeVerifier } from './stripe-verifier.ts';
import { fail, type Verifier, type VerifyRequest, type VerifyResult } from './verifier.ts';

/** The options of one scheme. */
export type ConfigOf<S extends VerificationScheme> = Extract<VerificationConfig, { scheme: S }>;

/**
 * One entry per scheme, verifying and signing; the mapped type makes a scheme without an entry a compile
 * error.
 */
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
 * The registry entry of the config's scheme, or null for a scheme this build does not know (a config read
 * from storage may name anything, `toString` included). The entry found is the one for `config.scheme`,
 * which is what lets it take the whole config union.
 */
export function schemeEntry(config: VerificationConfig): Verifier<VerificationConfig> | null {
  const scheme: unknown = (config as { scheme?: unknown } | null)?.scheme;
  if (typeof scheme !== 'string' || !Object.hasOwn(SCHEME_REGISTRY, scheme)) return null;
  return SCHEME_REGISTRY[scheme as VerificationScheme];
}

/** The name a config gives as its scheme, for a message about one this build does not know. */
export function unknownSchemeMessage(config: unknown): string {
  const scheme = (config as { scheme?: unknown } | null)?.scheme;
  return `Unknown verification scheme ${JSON.stringify(scheme)}.`;
}

/**
 * Verifies one delivery against a connection's verification config and secrets. Never throws: anything
 * missing, malformed or unknown (including a scheme this build does not know) is a failure result.
 */
export function verifyWebhook(config: VerificationConfig, request: VerifyRequest): VerifyResult {
  const entry = schemeEntry(config);
  return entry === null
    ? fail('signature_invalid', unknownSchemeMessage(config))
    : entry.verify(config, request);
}
