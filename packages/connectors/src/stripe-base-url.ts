/** Stripe's API, when the connection config names no other. */
export const STRIPE_DEFAULT_BASE_URL = 'https://api.stripe.com';

/**
 * The API base URL of a Stripe connection: `base_url` (a sandbox or a local fake), else the deprecated
 * `api_base`, else Stripe's; without a trailing slash.
 */
export function stripeBaseUrl(config: Readonly<Record<string, unknown>>): string {
  const given = [config['base_url'], config['api_base']].find((v) => typeof v === 'string' && v !== '');
  return (typeof given === 'string' ? given : STRIPE_DEFAULT_BASE_URL).replace(/\/+$/, '');
}
