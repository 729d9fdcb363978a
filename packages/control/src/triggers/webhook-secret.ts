import { randomBytes } from 'node:crypto';

const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/** Bytes a Standard Webhooks secret may hold (the specification asks for 24 to 64). */
export const WEBHOOK_SECRET_BYTES = { min: 24, max: 64 } as const;

/** True for a Standard Webhooks signing secret: `whsec_` + base64 of 24 to 64 bytes. */
export function isWebhookSecret(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = WHSEC.exec(value);
  if (match?.[1] === undefined || match[1].length % 4 !== 0) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= WEBHOOK_SECRET_BYTES.min && bytes <= WEBHOOK_SECRET_BYTES.max;
}

/** A new signing secret for a trigger's deliveries: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
