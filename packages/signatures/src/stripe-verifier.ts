import type { VerificationConfig } from '@sluice/core';
import {
  anyKeyMatches,
  bodyReplayKey,
  decodeHex,
  hmacSha256,
  noUsableSecret,
  requireSecret,
  usableSecrets,
} from './signature-crypto.ts';
import { malformedTimestamp, parseUnixSeconds, staleness } from './timestamp-window.ts';
import { fail, headerValue, type Verifier, type VerifyFailure, verified } from './verifier.ts';

type StripeConfig = Extract<VerificationConfig, { scheme: 'stripe' }>;

const SIGNATURE_HEADER = 'stripe-signature';

interface StripeSignatureHeader {
  readonly timestamp: string;
  /** The decodable `v1=` digests; other schemes (`v0`) are ignored. */
  readonly signatures: ReadonlyArray<Buffer>;
}

/** Parses `t=<unix>,v1=<hex>[,v1=<hex>…]`; a failure for anything malformed. */
function parseHeader(header: string): StripeSignatureHeader | VerifyFailure {
  let timestamp: string | null = null;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const separator = item.indexOf('=');
    if (separator <= 0)
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} header is not \`t=…,v1=…\`.`);
    const key = item.slice(0, separator).trim();
    const value = item.slice(separator + 1).trim();
    if (key === 't') {
      if (timestamp !== null)
        return fail('signature_invalid', `The ${SIGNATURE_HEADER} header has two t= entries.`);
      timestamp = value;
    } else if (key === 'v1') {
      const digest = decodeHex(value);
      if (digest !== null) signatures.push(digest);
    }
  }
  if (timestamp === null)
    return fail('signature_invalid', `The ${SIGNATURE_HEADER} header has no t= timestamp.`);
  if (signatures.length === 0) {
    return fail('signature_invalid', `The ${SIGNATURE_HEADER} header has no v1= signature in hex.`);
  }
  return { timestamp, signatures };
}

/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "{t}.{body}")>`, where the key is the
 * whole secret string, `whsec_` included. During Stripe's own secret roll the header carries several v1
 * entries; any one matching any secret verifies.
 */
export const stripeVerifier: Verifier<StripeConfig> = {
  scheme: 'stripe',
  secretFormat: 'whsec',

  verify(config, { rawBody, headers, secrets, nowMs }) {
    const header = headerValue(headers, SIGNATURE_HEADER);
    if (header === null) return fail('signature_missing', `The ${SIGNATURE_HEADER} header is missing.`);
    const parsed = parseHeader(header);
    if ('ok' in parsed) return parsed;
    const timestamp = parseUnixSeconds(parsed.timestamp);
    if (timestamp === null) return malformedTimestamp(`${SIGNATURE_HEADER} t=`, parsed.timestamp);
    const keys = usableSecrets(secrets);
    if (keys.length === 0) return noUsableSecret('stripe', secrets.length);
    const digest = (key: string) => hmacSha256(key, `${parsed.timestamp}.`, rawBody);
    if (!anyKeyMatches(keys, parsed.signatures, digest)) {
      return fail(
        'signature_invalid',
        `No v1 signature in ${SIGNATURE_HEADER} matches the timestamp and body.`,
      );
    }
    const stale = staleness(`${SIGNATURE_HEADER} t=`, timestamp, nowMs, config.toleranceSeconds);
    if (stale !== null) return stale;
    return verified(bodyReplayKey('stripe', parsed.timestamp, rawBody), null, timestamp);
  },

  sign(_config, { secret, rawBody, nowMs }) {
    const timestamp = String(Math.floor(nowMs / 1000));
    const digest = hmacSha256(requireSecret('stripe', secret), `${timestamp}.`, rawBody).toString('hex');
    return { [SIGNATURE_HEADER]: `t=${timestamp},v1=${digest}` };
  },
};
