import type { Emission, PollContext, PollPage, PollRequest } from '@sluice/core';
import { idOf, isoFromEpochSeconds, optionalString, recordOf } from './source-fields.ts';

const ID = 'stripe';
const DEFAULT_API_BASE = 'https://api.stripe.com';

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
 * The `customers` poll handler: one page of `GET /v1/customers` (100 per page), resuming after the
 * cursor (the last customer id of the previous page). Connection config: `api_key` (required) and
 * `api_base` (default `https://api.stripe.com`).
 */
export async function pollStripeCustomers(ctx: PollContext, request: PollRequest): Promise<PollPage> {
  const apiKey = ctx.config['api_key'];
  if (typeof apiKey !== 'string' || apiKey === '') {
    throw new Error(
      `${ID}: the connection config has no api_key; set it to a Stripe secret or restricted key`,
    );
  }
  const apiBase = typeof ctx.config['api_base'] === 'string' ? ctx.config['api_base'] : DEFAULT_API_BASE;
  const after = request.cursor === null ? '' : `&starting_after=${encodeURIComponent(request.cursor)}`;
  const url = `${apiBase.replace(/\/+$/, '')}/v1/customers?limit=100${after}`;
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
    signal: ctx.signal,
  });
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
