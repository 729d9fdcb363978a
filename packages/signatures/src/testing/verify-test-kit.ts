import assert from 'node:assert/strict';
import type { VerifyFailureCode, VerifyResult, VerifySuccess } from '../verifier.ts';

/** Helpers shared by the verifier tests. */

export const NOW_MS = 1_700_000_000_123;
export const NOW_S = Math.floor(NOW_MS / 1000);

/** A JSON body with a non-ASCII character, so byte-versus-string mistakes show. */
export const PAYLOAD =
  '{"id":"evt_1","object":"event","type":"order.created","data":{"name":"Zoë","total":42}}';
export const BODY: Buffer = Buffer.from(PAYLOAD);

/** The body with one bit of one byte changed. */
export function flipBodyBit(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const index = Math.floor(copy.length / 2);
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}

function flipFirstBit(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  copy[0] = (copy[0] ?? 0) ^ 1;
  return copy;
}

/** A hex digest with one bit of the decoded digest changed. */
export function flipHexBit(hex: string): string {
  return flipFirstBit(Buffer.from(hex, 'hex')).toString('hex');
}

/** A base64 digest with one bit of the decoded digest changed. */
export function flipBase64Bit(base64: string): string {
  return flipFirstBit(Buffer.from(base64, 'base64')).toString('base64');
}

export function assertVerified(result: VerifyResult): asserts result is VerifySuccess {
  assert.equal(result.ok, true, result.ok ? '' : `${result.code}: ${result.message}`);
}

/** Asserts the failure code, and that the message leaks none of the given secrets or digests. */
export function assertRefused(
  result: VerifyResult,
  code: VerifyFailureCode,
  mustNotContain: string[] = [],
): void {
  assert.equal(result.ok, false, 'expected the delivery to be refused');
  if (result.ok) return;
  assert.equal(result.code, code, result.message);
  assert.ok(result.message.length > 0);
  for (const text of mustNotContain) assert.ok(!result.message.includes(text), `message leaks ${text}`);
}
