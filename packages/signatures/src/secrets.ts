import { randomBytes } from 'node:crypto';
import type { VerificationScheme } from '@sluice/core';

/** How each scheme's providers format a signing secret. */
const SECRET_FORMATS: { readonly [S in VerificationScheme]: 'whsec' | 'hex' } = {
  'hmac-sha256': 'hex',
  'standard-webhooks': 'whsec',
  stripe: 'whsec',
  github: 'hex',
  shopify: 'hex',
  slack: 'hex',
};

/**
 * A new random signing secret in the scheme's usual format: `whsec_` + base64 of 24 bytes for
 * standard-webhooks and stripe, 32 bytes as hex for the others.
 */
export function generateSecret(scheme: VerificationScheme): string {
  return SECRET_FORMATS[scheme] === 'whsec'
    ? `whsec_${randomBytes(24).toString('base64')}`
    : randomBytes(32).toString('hex');
}
