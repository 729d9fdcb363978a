import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { PollContext } from '@sluice/core';
import { resolveStream, runMapping } from '@sluice/map';
import { deliveryOf } from './fixtures/map-input.ts';
import {
  stripeChargeSucceeded,
  stripeCustomerPage,
  stripeCustomerUpdated,
} from './fixtures/stripe-events.ts';
import { mapStripeEvent, stripeConnector } from './stripe-connector.ts';

const stripeHeaders = {
  'stripe-signature': 't=1723644012,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd',
};

describe('stripe connector: webhook events', () => {
  it('declares a webhook stream and a scheduled poll stream, each event type once', () => {
    assert.deepEqual(
      stripeConnector.streams.map((s) => [s.key, s.mode, s.schedule]),
      [
        ['events', 'webhook', undefined],
        ['customers', 'poll', '*/15 * * * *'],
      ],
    );
    assert.equal(stripeConnector.eventTypes.get('customer.updated'), 'events');
    assert.equal(stripeConnector.eventTypes.get('customer.synced'), 'customers');
    assert.deepEqual(stripeConnector.webhook?.verify, { scheme: 'stripe' });
  });

  it('maps charge.succeeded to one emission keyed by the Stripe event id', () => {
    const result = runMapping(stripeConnector, deliveryOf(stripeChargeSucceeded, stripeHeaders));
    assert.deepEqual(result, {
      ok: true,
      emissions: [
        {
          source: 'stripe',
          event_type: 'charge.succeeded',
          stream: 'events',
          dedupe_key: 'stripe:event:evt_3PqL8bKz9x2YhT1c0m4Rk7Vd',
          occurred_at: '2024-08-14T14:00:12.000Z',
          payload: {
            entity: { kind: 'charge', id: 'ch_3PqL8bKz9x2YhT1c0b8Q2mXa' },
            stripe_event_id: 'evt_3PqL8bKz9x2YhT1c0m4Rk7Vd',
            livemode: false,
            status: 'succeeded',
            amount: 4200,
            currency: 'eur',
            customer_id: 'cus_QhT4bKx9LmN2Pq',
            email: 'ines.moreau@example.com',
            raw: stripeChargeSucceeded.data.object,
          },
        },
      ],
    });
    const [emission] = result.ok ? result.emissions : [];
    assert.ok(emission);
    assert.deepEqual(resolveStream(stripeConnector, emission), { ok: true, stream: 'events' });
  });

  it('maps customer.updated with the customer as the entity', () => {
    const emission = mapStripeEvent(deliveryOf(stripeCustomerUpdated, stripeHeaders));
    assert.equal(emission.event_type, 'customer.updated');
    assert.deepEqual(emission.payload['entity'], { kind: 'customer', id: 'cus_QhT4bKx9LmN2Pq' });
    assert.equal(emission.payload['customer_id'], 'cus_QhT4bKx9LmN2Pq');
  });

  it('gives each recurring update its own dedupe key (the event id) and a retry the same one', () => {
    const first = mapStripeEvent(deliveryOf(stripeCustomerUpdated, stripeHeaders));
    const retry = mapStripeEvent(deliveryOf(structuredClone(stripeCustomerUpdated), stripeHeaders));
    const later = mapStripeEvent(
      deliveryOf(
        { ...stripeCustomerUpdated, id: 'evt_1PqLC9Kz9x2YhT1cR2s8Tb4U', created: 1723650000 },
        stripeHeaders,
      ),
    );
    assert.equal(retry.dedupe_key, first.dedupe_key);
    assert.notEqual(later.dedupe_key, first.dedupe_key);
  });

  it('rejects an event type the webhook stream does not declare', () => {
    for (const type of ['payout.paid', 'customer.synced']) {
      const result = runMapping(
        stripeConnector,
        deliveryOf({ ...stripeChargeSucceeded, type }, stripeHeaders),
      );
      assert.equal(result.ok, false, type);
      assert.match(result.ok ? '' : result.error.message, /is not declared by stream "events"/);
    }
  });
});

describe('stripe connector: customers poll', () => {
  const requests: Array<{ url: string; authorization: string | undefined }> = [];
  let server: Server;
  let apiBase = '';

  before(async () => {
    server = createServer((request: IncomingMessage, response) => {
      requests.push({ url: request.url ?? '', authorization: request.headers.authorization });
      response.setHeader('content-type', 'application/json');
      if (request.headers.authorization !== 'Bearer sk_test_poll') {
        response.statusCode = 401;
        response.end(
          JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key' } }),
        );
        return;
      }
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const page =
        url.searchParams.get('starting_after') === 'cus_B'
          ? stripeCustomerPage([{ id: 'cus_C', email: 'c@example.com', created: 1723400300 }], false)
          : stripeCustomerPage(
              [
                { id: 'cus_A', email: 'a@example.com', created: 1723400100 },
                { id: 'cus_B', email: 'b@example.com', created: 1723400200, updated: 1723500000 },
              ],
              true,
            );
      response.end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  });

  const contextWith = (config: Record<string, unknown>): PollContext => ({
    config,
    connectionId: 'con_stripe',
    tenantId: 'ten_1',
    signal: AbortSignal.timeout(5000),
    fetch,
  });

  it('pages through the customers list with the cursor until has_more is false', async () => {
    requests.length = 0;
    const poll = stripeConnector.poll['customers'];
    assert.ok(poll);
    const ctx = contextWith({ base_url: apiBase, api_key: 'sk_test_poll' });
    const first = await poll(ctx, { cursor: null, from: null, to: '2024-08-15T00:00:00.000Z' });
    assert.equal(first.cursor, 'cus_B');
    assert.equal(first.hasMore, true);
    const second = await poll(ctx, { cursor: first.cursor, from: null, to: '2024-08-15T00:00:00.000Z' });
    assert.equal(second.cursor, 'cus_C');
    assert.equal(second.hasMore, false);

    assert.deepEqual(requests, [
      { url: '/v1/customers?limit=100&created%5Blt%5D=1723680000', authorization: 'Bearer sk_test_poll' },
      {
        url: '/v1/customers?limit=100&starting_after=cus_B&created%5Blt%5D=1723680000',
        authorization: 'Bearer sk_test_poll',
      },
    ]);
    const emissions = [...first.emissions, ...second.emissions];
    assert.deepEqual(
      emissions.map((e) => [e.event_type, e.stream, e.dedupe_key]),
      [
        ['customer.synced', 'customers', 'stripe:customer:cus_A:synced:1723400100'],
        ['customer.synced', 'customers', 'stripe:customer:cus_B:synced:1723500000'],
        ['customer.synced', 'customers', 'stripe:customer:cus_C:synced:1723400300'],
      ],
    );
    assert.deepEqual(emissions[0], {
      source: 'stripe',
      event_type: 'customer.synced',
      stream: 'customers',
      dedupe_key: 'stripe:customer:cus_A:synced:1723400100',
      occurred_at: '2024-08-11T18:15:00.000Z',
      payload: {
        entity: { kind: 'customer', id: 'cus_A' },
        customer_id: 'cus_A',
        email: 'a@example.com',
        name: null,
        currency: 'eur',
        delinquent: false,
        created_at: '2024-08-11T18:15:00.000Z',
        livemode: false,
      },
    });
    for (const emission of emissions) {
      assert.deepEqual(resolveStream(stripeConnector, emission), { ok: true, stream: 'customers' });
    }
  });

  it('throws with the status when the API refuses the key', async () => {
    const poll = stripeConnector.poll['customers'];
    assert.ok(poll);
    await assert.rejects(
      poll(contextWith({ api_base: apiBase, api_key: 'sk_test_wrong' }), {
        cursor: null,
        from: null,
        to: '',
      }),
      /GET \/v1\/customers answered 401: .*Invalid API Key/,
    );
  });

  it('throws before any request when the connection has no api_key', async () => {
    const poll = stripeConnector.poll['customers'];
    assert.ok(poll);
    await assert.rejects(
      poll(contextWith({ api_base: apiBase }), { cursor: null, from: null, to: '' }),
      /has no api_key/,
    );
  });
});
