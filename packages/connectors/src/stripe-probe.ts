import type { ProbeContext, ProbeResult } from '@sluice/core';
import { stripeBaseUrl } from './stripe-base-url.ts';

/**
 * The health probe of a Stripe connection: `GET /v1/balance` with the connection's `api_key`. A webhook-only
 * connection (no `api_key`) has nothing to probe and passes.
 */
export async function probeStripe(
  config: Readonly<Record<string, unknown>>,
  context: ProbeContext,
): Promise<ProbeResult> {
  const apiKey = config['api_key'];
  if (apiKey === undefined) return { ok: true, message: 'No api_key configured; webhooks only.' };
  if (typeof apiKey !== 'string' || apiKey === '')
    return { ok: false, message: 'api_key must be a non-empty string.' };
  const apiBase = stripeBaseUrl(config);
  try {
    const response = await context.fetch(`${apiBase.replace(/\/+$/, '')}/v1/balance`, {
      headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return { ok: true, message: 'GET /v1/balance answered 200.' };
    return { ok: false, message: `GET /v1/balance answered ${response.status}.` };
  } catch (error) {
    return {
      ok: false,
      message: `GET /v1/balance failed: ${error instanceof Error ? error.message : String(error)}.`,
    };
  }
}
