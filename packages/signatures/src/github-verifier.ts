import type { VerificationConfig } from '@sluice/core';
import {
  anyKeyMatches,
  decodeHex,
  deliveryId,
  hmacSha256,
  noUsableSecret,
  requireSecret,
  usableSecrets,
} from './signature-crypto.ts';
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

type GithubConfig = Extract<VerificationConfig, { scheme: 'github' }>;

const SIGNATURE_HEADER = 'x-hub-signature-256';
const DELIVERY_HEADER = 'x-github-delivery';
const PREFIX = 'sha256=';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`. No timestamp is signed, so there
 * is no replay key; `X-GitHub-Delivery` (not covered by the signature) is returned as the webhook id.
 */
export const githubVerifier: Verifier<GithubConfig> = {
  scheme: 'github',

  verify(_config, { rawBody, headers, secrets }) {
    const header = headerValue(headers, SIGNATURE_HEADER);
    if (header === null) return fail('signature_missing', `The ${SIGNATURE_HEADER} header is missing.`);
    const presented = header.startsWith(PREFIX) ? decodeHex(header.slice(PREFIX.length)) : null;
    if (presented === null) {
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} header is not \`sha256=<hex digest>\`.`);
    }
    const keys = usableSecrets(secrets);
    if (keys.length === 0) return noUsableSecret('github', secrets.length);
    if (!anyKeyMatches(keys, [presented], (key) => hmacSha256(key, rawBody))) {
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} signature does not match the body.`);
    }
    return verified(null, headerValue(headers, DELIVERY_HEADER), null);
  },

  sign(_config, { secret, rawBody, webhookId }) {
    const digest = hmacSha256(requireSecret('github', secret), rawBody).toString('hex');
    return { [SIGNATURE_HEADER]: `${PREFIX}${digest}`, [DELIVERY_HEADER]: deliveryId(webhookId) };
  },
};
