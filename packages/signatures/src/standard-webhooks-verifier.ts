import { SluiceError, type VerificationConfig } from '@sluice/core';
import { anyKeyMatches, decodeBase64, deliveryId, hmacSha256, noUsableSecret } from './signature-crypto.ts';
import { malformedTimestamp, parseUnixSeconds, staleness } from './timestamp-window.ts';
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

type StandardWebhooksConfig = Extract<VerificationConfig, { scheme: 'standard-webhooks' }>;

const ID_HEADER = 'webhook-id';
const TIMESTAMP_HEADER = 'webhook-timestamp';
const SIGNATURE_HEADER = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference library). */
export function standardWebhooksKey(secret: string): Buffer | null {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return decodeBase64(encoded);
}

/** The `v1,` signatures of a space-separated `webhook-signature` list; other versions (`v1a`) are ignored. */
function v1Signatures(header: string): Buffer[] {
  const signatures: Buffer[] = [];
  for (const entry of header.split(' ')) {
    if (!entry.startsWith('v1,')) continue;
    const digest = decodeBase64(entry.slice(3));
    if (digest !== null) signatures.push(digest);
  }
  return signatures;
}

/**
 * Standard Webhooks (symmetric, v1): `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256(key, "{webhook-id}.{webhook-timestamp}.{body}")>`, the key being the base64 part of
 * a `whsec_` secret. A sender rotating its key sends one signature per key; any one matching any secret
 * verifies.
 */
export const standardWebhooksVerifier: Verifier<StandardWebhooksConfig> = {
  scheme: 'standard-webhooks',
  secretFormat: 'whsec',

  verify(config, { rawBody, headers, secrets, nowMs }) {
    const header = headerValue(headers, SIGNATURE_HEADER);
    if (header === null) return fail('signature_missing', `The ${SIGNATURE_HEADER} header is missing.`);
    const webhookId = headerValue(headers, ID_HEADER);
    if (webhookId === null) return fail('signature_missing', `The ${ID_HEADER} header is missing.`);
    const timestampText = headerValue(headers, TIMESTAMP_HEADER);
    if (timestampText === null)
      return fail('signature_missing', `The ${TIMESTAMP_HEADER} header is missing.`);
    const timestamp = parseUnixSeconds(timestampText);
    if (timestamp === null) return malformedTimestamp(TIMESTAMP_HEADER, timestampText);
    const presented = v1Signatures(header);
    if (presented.length === 0) {
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} header has no \`v1,<base64>\` signature.`);
    }
    const keys = secrets.map(standardWebhooksKey).filter((key) => key !== null);
    if (keys.length === 0) return noUsableSecret('standard-webhooks', secrets.length);
    const digest = (key: Buffer) => hmacSha256(key, `${webhookId}.${timestampText}.`, rawBody);
    if (!anyKeyMatches(keys, presented, digest)) {
      return fail(
        'signature_invalid',
        `No v1 signature in ${SIGNATURE_HEADER} matches the id, timestamp and body.`,
      );
    }
    const stale = staleness(TIMESTAMP_HEADER, timestamp, nowMs, config.toleranceSeconds);
    if (stale !== null) return stale;
    return verified(`sw:${webhookId}:${timestampText}`, webhookId, timestamp);
  },

  sign(_config, { secret, rawBody, nowMs, webhookId }) {
    const key = standardWebhooksKey(secret);
    if (key === null) {
      throw new SluiceError(
        'validation_failed',
        'A standard-webhooks secret is `whsec_` followed by base64.',
      );
    }
    const id = deliveryId(webhookId, 'msg_');
    const timestamp = String(Math.floor(nowMs / 1000));
    const digest = hmacSha256(key, `${id}.${timestamp}.`, rawBody).toString('base64');
    return { [ID_HEADER]: id, [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1,${digest}` };
  },
};
