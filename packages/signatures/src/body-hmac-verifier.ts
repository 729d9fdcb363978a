import type { VerificationConfig, VerificationScheme } from '@sluice/core';
import {
  anyKeyMatches,
  decodeBase64,
  decodeHex,
  deliveryId,
  hmacSha256,
  noUsableSecret,
  requireSecret,
  usableSecrets,
} from './signature-crypto.ts';
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

/** Where a body-HMAC scheme puts its signature and delivery id, and how it writes the digest. */
export interface BodyHmacFormat<S extends VerificationScheme> {
  readonly scheme: S;
  /** Lowercased name of the header carrying the digest. */
  readonly signatureHeader: string;
  /** Lowercased name of the header carrying the sender's delivery id (not covered by the signature). */
  readonly deliveryHeader: string;
  readonly encoding: 'hex' | 'base64';
  /** Text before the digest in the header, e.g. `sha256=`; empty for none. */
  readonly prefix: string;
}

/**
 * A verifier for `<signatureHeader>: <prefix><encoded HMAC-SHA256(secret, body)>`. No timestamp is signed,
 * so there is no replay key; the delivery header, when present, is returned as the webhook id.
 */
export function bodyHmacVerifier<C extends VerificationConfig>(
  format: BodyHmacFormat<C['scheme']>,
): Verifier<C> {
  const { scheme, signatureHeader, deliveryHeader, encoding, prefix } = format;
  const decode = encoding === 'hex' ? decodeHex : decodeBase64;
  return {
    scheme,
    secretFormat: 'hex',

    verify(_config, { rawBody, headers, secrets }) {
      const header = headerValue(headers, signatureHeader);
      if (header === null) return fail('signature_missing', `The ${signatureHeader} header is missing.`);
      const presented = header.startsWith(prefix) ? decode(header.slice(prefix.length)) : null;
      if (presented === null) {
        return fail(
          'signature_invalid',
          `The ${signatureHeader} header is not \`${prefix}<${encoding} digest>\`.`,
        );
      }
      const keys = usableSecrets(secrets);
      if (keys.length === 0) return noUsableSecret(scheme, secrets.length);
      if (!anyKeyMatches(keys, [presented], (key) => hmacSha256(key, rawBody))) {
        return fail('signature_invalid', `The ${signatureHeader} signature does not match the body.`);
      }
      return verified(null, headerValue(headers, deliveryHeader), null);
    },

    sign(_config, { secret, rawBody, webhookId }) {
      const digest = hmacSha256(requireSecret(scheme, secret), rawBody).toString(encoding);
      return { [signatureHeader]: `${prefix}${digest}`, [deliveryHeader]: deliveryId(webhookId) };
    },
  };
}
