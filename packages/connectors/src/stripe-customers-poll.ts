import {
  type Emission,
  type PollContext,
  type PollPage,
  type PollRequest,
  rateLimitedFrom,
} from '@sluice/core';
import { idOf, isoFromEpochSeconds, optionalString, recordOf } from './source-fields.ts';
import { stripeBaseUrl } from './stripe-base-url.ts';

const ID = 'stripe';

/** One Stripe customer object → a `customer.synced` emission on the `customers` stream. */
export function customerSyncedEmission(value: unknown): Emission {
  const customer = recordOf(ID, 'a customer in the list', value);
  const id = idOf(ID, 'customer.id', customer['id']);
  // Stripe customers carry no updated timestamp; `updated` is honoured where a compatible API sends one.
  const version = customer['updated'] ?? customer['created'];
  return {
    source: ID,
    event_type: 'customer.synced',
    stream: 'customers',
    dedupe_key: `stripe:customer:${id}:synced:${String(version)}`,
    occurred_at: isoFromEpochSeconds(version),
    payload: {
      entity: { kind: 'customer', id },
      customer_id: id,
      email: optionalString(customer['email']),
      name: optionalString(customer['name']),
      currency: optionalString(customer['currency']),
      delinquent: customer['delinquent'] === true,
      created_at: isoFromEpochSeconds(customer['created']),
      livemode: customer['livemode'] === true,
    },
  };
}

/**
 * The `customers` poll handler: one page of `GET /v1/customers` (`page_size` per page, default 100),
 * resuming after the cursor (the last customer id of the previous page), limited to customers created in
 * the window (`created[gte]` = from, `created[lt]` = to). A 429 or 503 throws `RateLimitedError` with the
 * `Retry-After` time. Connection config: `api_key` (required), `base_url` (default
 * `https://api.stripe.com`; `api_base` is a deprecated alias) and `page_size` (1 to 100).
 */
export async function pollStripeCustomers(ctx: PollContext, request: PollRequest): Promise<PollPage> {
  const apiKey = ctx.config['api_key'];
  if (typeof apiKey !== 'string' || apiKey === '') {
    throw new Error(
      `${ID}: the connection config has no api_key; set it to a Stripe secret or restricted key`,
    );
  }
  const size = Number(ctx.config['page_size'] ?? 100);
  const limit = Number.isInteger(size) && size >= 1 && size <= 100 ? size : 100;
  const params = new URLSearchParams({ limit: String(limit) });
  if (request.cursor !== null) params.set('starting_after', request.cursor);
  if (request.from !== null) params.set('created[gte]', String(Math.floor(Date.parse(request.from) / 1000)));
  params.set('created[lt]', String(Math.ceil(Date.parse(request.to) / 1000)));
  const url = `${stripeBaseUrl(ctx.config)}/v1/customers?${params}`;
  const response = await ctx.fetch(url, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    signal: ctx.signal,
  });
  const limited = rateLimitedFrom(response, new Date());
  if (limited !== null) {
    await response.body?.cancel();
    throw limited;
  }
  if (!response.ok) {
    const text = await response.text();
    throw new Error(`${ID}: GET /v1/customers answered ${response.status}: ${text.slice(0, 200)}`);
  }
  const list = recordOf(ID, 'the customers list', await response.json());
  const data = Array.isArray(list['data']) ? (list['data'] as unknown[]) : [];
  const emissions = data.map(customerSyncedEmission);
  const lastId = emissions.at(-1)?.payload['customer_id'];
  return {
    emissions,
    cursor: typeof lastId === 'string' ? lastId : request.cursor,
    // An empty page cannot advance the cursor, so it ends the run whatever has_more says.
    hasMore: list['has_more'] === true && emissions.length > 0,
  };
}
