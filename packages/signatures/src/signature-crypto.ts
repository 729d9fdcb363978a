import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { SluiceError } from '@sluice/core';
import { fail, type VerifyFailure } from './verifier.ts';

/** HMAC-SHA256 over the parts in order, without concatenating them into one buffer first. */
export function hmacSha256(key: string | Buffer, ...parts: ReadonlyArray<string | Buffer>): Buffer {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time equality; buffers of different lengths are unequal, never an exception. */
export function bytesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * True when the digest computed under any key equals any presented digest. Each key's digest is computed
 * once; every comparison is constant-time.
 */
export function anyKeyMatches<K>(
  keys: ReadonlyArray<K>,
  presented: ReadonlyArray<Buffer>,
  digest: (key: K) => Buffer,
): boolean {
  for (const key of keys) {
    const expected = digest(key);
    for (const candidate of presented) {
      if (bytesEqual(expected, candidate)) return true;
    }
  }
  return false;
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict hex decoding (Buffer.from stops silently at the first bad character); null when malformed. */
export function decodeHex(text: string): Buffer | null {
  return HEX.test(text) ? Buffer.from(text, 'hex') : null;
}

/**
 * Strict padded base64 decoding (Buffer.from skips bad characters); null when malformed or empty, and when
 * not canonical: a last character whose unused low bits are set decodes to the same bytes as the canonical
 * one, so one signature would have several spellings.
 */
export function decodeBase64(text: string): Buffer | null {
  if (text === '' || !BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** The non-empty secrets: an empty HMAC key would let anyone sign. */
export function usableSecrets(secrets: ReadonlyArray<string>): ReadonlyArray<string> {
  return secrets.filter((secret) => typeof secret === 'string' && secret !== '');
}

/** The failure for a connection with no secret the scheme can use. */
export function noUsableSecret(scheme: string, configured: number): VerifyFailure {
  return fail(
    'signature_invalid',
    configured === 0
      ? `The connection has no signing secret, so no ${scheme} signature can verify.`
      : `None of the connection's ${configured} signing secrets is usable for ${scheme}.`,
  );
}

/** A replay key for a timestamped scheme without a delivery id: the timestamp and a digest of the body. */
export function bodyReplayKey(prefix: string, timestamp: string, rawBody: Buffer): string {
  return `${prefix}:${timestamp}:${createHash('sha256').update(rawBody).digest('base64url')}`;
}

/** A signer's secret check: signing with an empty key is a bug, not a delivery. */
export function requireSecret(scheme: string, secret: string): string {
  if (secret === '')
    throw new SluiceError('validation_failed', `Cannot sign ${scheme} with an empty secret.`);
  return secret;
}

/** The delivery id a signer sends: the given one, or a fresh random one. */
export function deliveryId(webhookId: string | undefined, prefix = ''): string {
  return webhookId ?? `${prefix}${randomUUID()}`;
}
