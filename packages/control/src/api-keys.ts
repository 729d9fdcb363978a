import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new tenant API key (`slk_…`). Only its hash is stored; the key is shown once. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = `slk_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** Timing-safe comparison of a presented key with the configured admin key. */
export function isAdminKey(presented: string, adminKey: string | null): boolean {
  if (adminKey === null) return false;
  return timingSafeEqual(
    createHash('sha256').update(presented).digest(),
    createHash('sha256').update(adminKey).digest(),
  );
}
