import type { VerificationConfig } from '@sluice/core';
import {
  anyKeyMatches,
  decodeBase64,
  deliveryId,
  hmacSha256,
  noUsableSecret,
  requireSecret,
  usableSecrets,
} from './signature-crypto.ts';
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

type ShopifyConfig = Extract<VerificationConfig, { scheme: 'shopify' }>;

const SIGNATURE_HEADER = 'x-shopify-hmac-sha256';
const DELIVERY_HEADER = 'x-shopify-webhook-id';

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`. No timestamp is signed, so there
 * is no replay key; `X-Shopify-Webhook-Id` (not covered by the signature) is returned as the webhook id.
 */
export const shopifyVerifier: Verifier<ShopifyConfig> = {
  scheme: 'shopify',

  verify(_config, { rawBody, headers, secrets }) {
    const header = headerValue(headers, SIGNATURE_HEADER);
    if (header === null) return fail('signature_missing', `The ${SIGNATURE_HEADER} header is missing.`);
    const presented = decodeBase64(header);
    if (presented === null) return fail('signature_invalid', `The ${SIGNATURE_HEADER} header is not base64.`);
    const keys = usableSecrets(secrets);
    if (keys.length === 0) return noUsableSecret('shopify', secrets.length);
    if (!anyKeyMatches(keys, [presented], (key) => hmacSha256(key, rawBody))) {
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} signature does not match the body.`);
    }
    return verified(null, headerValue(headers, DELIVERY_HEADER), null);
  },

  sign(_config, { secret, rawBody, webhookId }) {
    const digest = hmacSha256(requireSecret('shopify', secret), rawBody).toString('base64');
    return { [SIGNATURE_HEADER]: digest, [DELIVERY_HEADER]: deliveryId(webhookId) };
  },
};
