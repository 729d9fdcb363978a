/** Every webhook verification scheme Sluice ships. Adding one is one verifier file plus one registry line. */
export const VERIFICATION_SCHEMES = [
  'hmac-sha256',
  'standard-webhooks',
  'stripe',
  'github',
  'shopify',
  'slack',
] as const;

export type VerificationScheme = (typeof VERIFICATION_SCHEMES)[number];

/** A connector's choice of scheme, with the scheme's options. */
export type VerificationConfig =
  | {
      readonly scheme: 'hmac-sha256';
      /** Header carrying the signature, e.g. `x-signature`. */
      readonly header: string;
      readonly encoding?: 'hex' | 'base64';
      /** A prefix before the digest in the header, e.g. `sha256=`. */
      readonly prefix?: string;
      /** When set, the signed content is `${timestamp}.${body}` and the timestamp must be fresh. */
      readonly timestampHeader?: string;
      readonly toleranceSeconds?: number;
    }
  | { readonly scheme: 'standard-webhooks'; readonly toleranceSeconds?: number }
  | { readonly scheme: 'stripe'; readonly toleranceSeconds?: number }
  | { readonly scheme: 'github' }
  | { readonly scheme: 'shopify' }
  | { readonly scheme: 'slack'; readonly toleranceSeconds?: number };

export const DEFAULT_TOLERANCE_SECONDS = 300;

export function isVerificationScheme(value: string): value is VerificationScheme {
  return (VERIFICATION_SCHEMES as ReadonlyArray<string>).includes(value);
}
