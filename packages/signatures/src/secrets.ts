import { randomBytes } from 'node:crypto';
import type { VerificationScheme } from '@sluice/core';
import { SCHEME_REGISTRY } from './scheme-registry.ts';

/**
 * A new random signing secret in the scheme's usual format (its registry entry's `secretFormat`):
 * `whsec_` + base64 of 24 bytes for standard-webhooks and stripe, 32 bytes as hex for the others.
 */
export function generateSecret(scheme: VerificationScheme): string {
  return SCHEME_REGISTRY[scheme].secretFormat === 'whsec'
    ? `whsec_${randomBytes(24).toString('base64')}`
    : randomBytes(32).toString('hex');
}
