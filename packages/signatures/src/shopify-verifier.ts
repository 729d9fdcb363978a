import type { VerificationConfig } from '@sluice/core';
import { bodyHmacVerifier } from './body-hmac-verifier.ts';
import type { Verifier } from './verifier.ts';

type ShopifyConfig = Extract<VerificationConfig, { scheme: 'shopify' }>;

/**
 * Shopify: `X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256(secret, body)>`, with `X-Shopify-Webhook-Id` as the
 * webhook id.
 */
export const shopifyVerifier: Verifier<ShopifyConfig> = bodyHmacVerifier({
  scheme: 'shopify',
  signatureHeader: 'x-shopify-hmac-sha256',
  deliveryHeader: 'x-shopify-webhook-id',
  encoding: 'base64',
  prefix: '',
});
