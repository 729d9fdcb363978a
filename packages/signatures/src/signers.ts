import { SluiceError, type VerificationConfig } from '@sluice/core';
import { SCHEME_REGISTRY } from './scheme-registry.ts';
import type { SignInput } from './verifier.ts';

/**
 * The headers a sender of the config's scheme sends with `rawBody` (lowercased names): signature, and the
 * timestamp and delivery id where the scheme has them. Used by tests, examples, `sluice sign` and outbound
 * delivery. Throws `validation_failed` for a secret the scheme cannot use.
 */
export function signWebhook(config: VerificationConfig, input: SignInput): Record<string, string> {
  switch (config.scheme) {
    case 'hmac-sha256':
      return SCHEME_REGISTRY['hmac-sha256'].sign(config, input);
    case 'standard-webhooks':
      return SCHEME_REGISTRY['standard-webhooks'].sign(config, input);
    case 'stripe':
      return SCHEME_REGISTRY.stripe.sign(config, input);
    case 'github':
      return SCHEME_REGISTRY.github.sign(config, input);
    case 'shopify':
      return SCHEME_REGISTRY.shopify.sign(config, input);
    case 'slack':
      return SCHEME_REGISTRY.slack.sign(config, input);
    default:
      return unknownScheme(config);
  }
}

function unknownScheme(config: never): never {
  const scheme = (config as { scheme?: unknown } | null)?.scheme;
  throw new SluiceError('validation_failed', `Unknown verification scheme ${JSON.stringify(scheme)}.`);
}
