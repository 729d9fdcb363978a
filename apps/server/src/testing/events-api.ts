import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import type { Envelope } from '@sluice/core';
import { defineConnector } from '@sluice/map';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './test-app.ts';

/** An operator-style source whose emissions arrive through the emit API only. */
export const appEvents = defineConnector({
  id: 'app-events',
  version: '1.0.0',
  streams: [
    { key: 'orders', mode: 'emit', events: ['order.created', 'order.updated'] },
    { key: 'invoices', mode: 'emit', events: ['invoice.paid'] },
  ],
});

/** The connection quota's burst in the events API suites. */
export const BURST = 40;
/** Where the events API suites' clock starts. */
export const T0 = Date.parse('2026-06-11T12:00:00.000Z');

/** One element of an emit request, as a caller writes it. */
export interface Emission {
  source?: string;
  event_type: string;
  dedupe_key: string;
  payload: Record<string, unknown>;
  [field: string]: unknown;
}

/** An order emission of shop-a; the dedupe key names the order and the event type. */
export const order = (
  id: number | string,
  eventType = 'order.created',
  extra: Partial<Emission> = {},
): Emission => ({
  source: 'shop-a',
  event_type: eventType,
  dedupe_key: `shop-a:order:${id}:${eventType}`,
  payload: { entity: { kind: 'order', id: String(id) }, total: 10 },
  ...extra,
});

/** The app of one events API suite and the calls its tests make; fields are set once the suite starts. */
export interface EventsApi {
  /** The app, its store and its tenants. */
  t: TestApp;
  /** The Bearer header of the suite's first tenant ("Emitter"). */
  auth: { authorization: string };
  /** What the app's clock reads, in epoch milliseconds; a test moves it by assigning. */
  clock: number;
  /** Creates a connection of `connectorId` and answers its id. */
  connect(headers?: { authorization: string }, connectorId?: string): Promise<string>;
  /** `POST /api/v1/events` with `body`. */
  emit(body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** The items of `GET /api/v1/events?{query}`, asserting a 200. */
  list(query: string, headers?: { authorization: string }): Promise<Envelope[]>;
  /** The dedupe keys stored for a connection, in order. */
  stored(connectionId: string): Promise<string[]>;
}

/**
 * Starts an app for the enclosing suite on `adapter` with the `app-events` connector, a payload limit of 2,000
 * bytes and a connection quota of {@link BURST}, and moves the clock an hour before each test so every test
 * starts with full quota buckets.
 */
export function useEventsApi(adapter: 'pglite' | 'postgres'): EventsApi {
  const api: EventsApi = {
    t: undefined as unknown as TestApp,
    auth: { authorization: '' },
    clock: T0,
    async connect(headers = api.auth, connectorId = 'app-events') {
      const response = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers,
        payload: { connector_id: connectorId },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json().connection.id;
    },
    emit: (body, headers = api.auth) =>
      api.t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers,
        payload: body as Record<string, unknown>,
      }),
    async list(query, headers = api.auth) {
      const response = await api.t.app.inject({ url: `/api/v1/events?${query}`, headers });
      assert.equal(response.statusCode, 200, response.body);
      return response.json().items;
    },
    stored: async (connectionId) =>
      (await api.list(`connection_id=${connectionId}&limit=500`)).map((e) => e.dedupe_key),
  };
  before(async () => {
    api.t = await startTestApp({
      adapter,
      connectors: [appEvents],
      now: () => new Date(api.clock),
      env: {
        SLUICE_BODY_LIMIT_BYTES: String(200_000),
        SLUICE_MAX_PAYLOAD_BYTES: '2000',
        SLUICE_CONNECTION_RATE: '1',
        SLUICE_CONNECTION_BURST: String(BURST),
      },
    });
    ({ auth: api.auth } = await api.t.tenant('Emitter'));
  });
  after(() => api.t.close());
  beforeEach(() => {
    api.clock += 3600_000;
  });
  return api;
}
