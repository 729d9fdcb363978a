import { SluiceError, type VerificationConfig } from '@sluice/core';
import { schemeEntry, unknownSchemeMessage } from './scheme-registry.ts';
import type { SignInput } from './verifier.ts';

/**
 * The headers a sender of the config's scheme sends with `rawBody` (lowercased names): signature, and the
 * timestamp and delivery id where the scheme has them. Used by tests, examples, `sluice sign` and outbound
 * delivery. Throws `validation_failed` for a secret the scheme cannot use, or a scheme this build does not
 * know.
 */
export function signWebhook(config: VerificationConfig, input: SignInput): Record<string, string> {
  const entry = schemeEntry(config);
  if (entry === null) throw new SluiceError('validation_failed', unknownSchemeMessage(config));
  return entry.sign(config, input);
}
