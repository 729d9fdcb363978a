import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { exampleConnectors } from '@sluice/connectors';
import type { Envelope } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import { signWebhook } from '@sluice/signatures';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './test-app.ts';

/** Where the connections API suites' clock starts. */
export const START = Date.parse('2026-06-11T12:00:00.000Z');

const probeOk = defineConnector({
  id: 'probe-ok',
  version: '1.0.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async (config) => ({ ok: true, message: `reached ${String(config['host'])}` }),
});
const probeFails = defineConnector({
  id: 'probe-fails',
  version: '1.0.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async () => ({ ok: false, message: 'credentials rejected by upstream' }),
});
const probeThrows = defineConnector({
  id: 'probe-throws',
  version: '2.1.0',
  streams: [{ key: 'items', mode: 'webhook', events: ['item.created'] }],
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature' } },
  map: () => null,
  probe: async () => {
    throw new Error('ECONNREFUSED upstream.example:443');
  },
});

/** The example connectors and three whose health probe passes, fails and throws. */
export const CONNECTORS = [...exampleConnectors, probeOk, probeFails, probeThrows];

const ORDER = (id: number) =>
  JSON.stringify({
    id,
    name: `#${id}`,
    total_price: '10.00',
    currency: 'EUR',
    created_at: '2026-06-11T09:00:00Z',
    updated_at: '2026-06-11T09:00:00Z',
    line_items: [],
  });

/** The app of one connections API suite and the calls its tests make; fields are set once the suite starts. */
export interface ConnectionsApi {
  t: TestApp;
  /** What the app's clock reads, in epoch milliseconds; a test moves it by assigning. */
  clock: number;
  /** The suite's tenant ("Acme") and its Bearer header. */
  tenantId: string;
  auth: { authorization: string };
  /** `POST /api/v1/connections` with `payload`. */
  create(
    payload: Record<string, unknown>,
    headers?: { authorization: string },
  ): Promise<LightMyRequestResponse>;
  /** `POST /api/v1/connections/{id}/{action}` as the suite's tenant, with `payload` when given. */
  act(
    connectionId: string,
    action: 'test' | 'retire' | 'rotate-secret',
    payload?: Record<string, unknown>,
  ): Promise<LightMyRequestResponse>;
  /** The tenant's platform events of a type (or glob), of one connection when `connectionId` is given. */
  platformEvents(eventType: string, connectionId?: string): Promise<Envelope[]>;
  /** A connection's secret rows as stored, oldest first. */
  secretRows(connectionId: string): Promise<ReadonlyArray<{ ciphertext: string; expires_at: unknown }>>;
  /** A Shopify `orders/create` delivery of order `orderId` to the connection, signed with `secret`. */
  deliver(connectionId: string, secret: string, orderId: number): Promise<LightMyRequestResponse>;
}

/** Starts an app with {@link CONNECTORS} and a tenant for the enclosing suite, on PGlite. */
export function useConnectionsApi(): ConnectionsApi {
  const api: ConnectionsApi = {
    t: undefined as unknown as TestApp,
    clock: START,
    tenantId: '',
    auth: { authorization: '' },
    create: (payload, headers = api.auth) =>
      api.t.app.inject({ method: 'POST', url: '/api/v1/connections', headers, payload }),
    act: (connectionId, action, payload) =>
      api.t.app.inject({
        method: 'POST',
        url: `/api/v1/connections/${connectionId}/${action}`,
        headers: api.auth,
        ...(payload === undefined ? {} : { payload }),
      }),
    async platformEvents(eventType, connectionId) {
      const response = await api.t.app.inject({
        url: `/api/v1/events?event_type=${encodeURIComponent(eventType)}&limit=500`,
        headers: api.auth,
      });
      assert.equal(response.statusCode, 200, response.body);
      const items = response.json().items as Envelope[];
      return connectionId === undefined
        ? items
        : items.filter((e) => (e.payload['entity'] as { id: string }).id === connectionId);
    },
    secretRows: (connectionId) =>
      api.t.sql.query<{ ciphertext: string; expires_at: unknown }>(
        'SELECT ciphertext, expires_at FROM connection_secrets WHERE connection_id = $1 ORDER BY created_at, id',
        [connectionId],
      ),
    deliver(connectionId, secret, orderId) {
      const body = ORDER(orderId);
      return api.t.app.inject({
        method: 'POST',
        url: `/api/v1/ingest/${connectionId}`,
        headers: {
          ...signWebhook({ scheme: 'shopify' }, { secret, rawBody: body, nowMs: api.clock }),
          'content-type': 'application/json',
          'x-shopify-topic': 'orders/create',
        },
        payload: body,
      });
    },
  };
  before(async () => {
    api.t = await startTestApp({ connectors: CONNECTORS, now: () => new Date(api.clock) });
    const made = await api.t.tenant('Acme');
    api.tenantId = made.tenant.id;
    api.auth = made.auth;
  });
  after(() => api.t.close());
  return api;
}
