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
import { fail, headerValue, type Verifier, verified } from './verifier.ts';

type SlackConfig = Extract<VerificationConfig, { scheme: 'slack' }>;

const SIGNATURE_HEADER = 'x-slack-signature';
const TIMESTAMP_HEADER = 'x-slack-request-timestamp';
const VERSION = 'v0';

/** Slack: `X-Slack-Signature: v0=<hex HMAC-SHA256(secret, "v0:{timestamp}:{body}")>`. */
export const slackVerifier: Verifier<SlackConfig> = {
  scheme: 'slack',
  secretFormat: 'hex',

  verify(config, { rawBody, headers, secrets, nowMs }) {
    const header = headerValue(headers, SIGNATURE_HEADER);
    if (header === null) return fail('signature_missing', `The ${SIGNATURE_HEADER} header is missing.`);
    const timestampText = headerValue(headers, TIMESTAMP_HEADER);
    if (timestampText === null)
      return fail('signature_missing', `The ${TIMESTAMP_HEADER} header is missing.`);
    const timestamp = parseUnixSeconds(timestampText);
    if (timestamp === null) return malformedTimestamp(TIMESTAMP_HEADER, timestampText);
    const presented = header.startsWith(`${VERSION}=`) ? decodeHex(header.slice(VERSION.length + 1)) : null;
    if (presented === null) {
      return fail('signature_invalid', `The ${SIGNATURE_HEADER} header is not \`v0=<hex digest>\`.`);
    }
    const keys = usableSecrets(secrets);
    if (keys.length === 0) return noUsableSecret('slack', secrets.length);
    const digest = (key: string) => hmacSha256(key, `${VERSION}:${timestampText}:`, rawBody);
    if (!anyKeyMatches(keys, [presented], digest)) {
      return fail(
        'signature_invalid',
        `The ${SIGNATURE_HEADER} signature does not match the timestamp and body.`,
      );
    }
    const stale = staleness(TIMESTAMP_HEADER, timestamp, nowMs, config.toleranceSeconds);
    if (stale !== null) return stale;
    return verified(bodyReplayKey('slack', timestampText, rawBody), null, timestamp);
  },

  sign(_config, { secret, rawBody, nowMs }) {
    const timestamp = String(Math.floor(nowMs / 1000));
    const digest = hmacSha256(requireSecret('slack', secret), `${VERSION}:${timestamp}:`, rawBody);
    return { [SIGNATURE_HEADER]: `${VERSION}=${digest.toString('hex')}`, [TIMESTAMP_HEADER]: timestamp };
  },
};
