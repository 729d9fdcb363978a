import type { VerificationConfig } from '@sluice/core';
import {
  anyKeyMatches,
  bodyReplayKey,
  decodeBase64,
  decodeHex,
  hmacSha256,
  noUsableSecret,
  requireSecret,
  usableSecrets,
} from './signature-crypto.ts';
import { malformedTimestamp, parseUnixSeconds, staleness } from './timestamp-window.ts';
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

type HmacSha256Config = Extract<VerificationConfig, { scheme: 'hmac-sha256' }>;

/**
 * A plain HMAC-SHA256 of the body in a header of the connector's choosing (hex by default, or base64,
 * optionally after a prefix such as `sha256=`). With `timestampHeader` the signed content is
 * `{timestamp}.{body}` and the timestamp must be within the tolerance.
 */
export const hmacSha256Verifier: Verifier<HmacSha256Config> = {
  scheme: 'hmac-sha256',
  secretFormat: 'hex',

  verify(config, { rawBody, headers, secrets, nowMs }) {
    const signatureHeader = config.header.toLowerCase();
    const header = headerValue(headers, signatureHeader);
    if (header === null) return fail('signature_missing', `The ${signatureHeader} header is missing.`);
    let signed: { readonly header: string; readonly text: string; readonly seconds: number } | null = null;
    if (config.timestampHeader !== undefined) {
      const timestampHeader = config.timestampHeader.toLowerCase();
      const text = headerValue(headers, timestampHeader);
      if (text === null) return fail('signature_missing', `The ${timestampHeader} header is missing.`);
      const seconds = parseUnixSeconds(text);
      if (seconds === null) return malformedTimestamp(timestampHeader, text);
      signed = { header: timestampHeader, text, seconds };
    }
    const prefix = config.prefix ?? '';
    const encoding = config.encoding ?? 'hex';
    const decode = encoding === 'hex' ? decodeHex : decodeBase64;
    const presented = header.startsWith(prefix) ? decode(header.slice(prefix.length)) : null;
    if (presented === null) {
      return fail(
        'signature_invalid',
        `The ${signatureHeader} header is not \`${prefix}<${encoding} digest>\`.`,
      );
    }
    const keys = usableSecrets(secrets);
    if (keys.length === 0) return noUsableSecret('hmac-sha256', secrets.length);
    const signedPrefix = signed === null ? '' : `${signed.text}.`;
    if (!anyKeyMatches(keys, [presented], (key) => hmacSha256(key, signedPrefix, rawBody))) {
      return fail('signature_invalid', `The ${signatureHeader} signature does not match the body.`);
    }
    if (signed === null) return verified(null, null, null);
    const stale = staleness(signed.header, signed.seconds, nowMs, config.toleranceSeconds);
    if (stale !== null) return stale;
    return verified(bodyReplayKey('hmac', signed.text, rawBody), null, signed.seconds);
  },

  sign(config, { secret, rawBody, nowMs }) {
    const timestamp = String(Math.floor(nowMs / 1000));
    const signedPrefix = config.timestampHeader === undefined ? '' : `${timestamp}.`;
    const digest = hmacSha256(requireSecret('hmac-sha256', secret), signedPrefix, rawBody);
    const headers: Record<string, string> = {
      [config.header.toLowerCase()]: `${config.prefix ?? ''}${digest.toString(config.encoding ?? 'hex')}`,
    };
    if (config.timestampHeader !== undefined) headers[config.timestampHeader.toLowerCase()] = timestamp;
    return headers;
  },
};
