import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './test-app.ts';

/** A Bearer header. */
export type Auth = { authorization: string };

/** An order emission of shop-a for order `id`. */
export const emission = (id: string) => ({
  source: 'shop-a',
  event_type: 'order.created',
  dedupe_key: `shop-a:order:${id}`,
  payload: { entity: { kind: 'order', id } },
});

/** A tenant made through the admin API, with the API key it was issued. */
export interface CreatedTenant {
  readonly tenant: { readonly id: string; readonly name: string; readonly reseller_id: string | null };
  /** The key as shown once at creation. */
  readonly apiKey: { readonly key: string; readonly tenant_id: string; readonly prefix: string };
  readonly auth: Auth;
}

/** The app of one tenancy suite and the calls its tests make; `t` is set once the suite starts. */
export interface TenancyApi {
  t: TestApp;
  /** `POST /api/v1/tenants` as the admin, asserting a 201. */
  createTenant(body: Record<string, unknown>): Promise<CreatedTenant>;
  /** A `commerce-orders` connection of the caller's tenant, asserting a 201. */
  createConnection(
    auth: Auth,
    body?: Record<string, unknown>,
  ): Promise<{
    connection: { id: string; reseller_id: string | null; workspace_id: string | null };
    secret: string;
  }>;
  /** `POST /api/v1/events` through `connectionId`. */
  emit(auth: Auth, connectionId: string, body: Record<string, unknown>): Promise<LightMyRequestResponse>;
}

/** Starts an app with the example connectors for the enclosing suite, on PGlite. */
export function useTenancyApi(): TenancyApi {
  const api: TenancyApi = {
    t: undefined as unknown as TestApp,
    async createTenant(body) {
      const response = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/tenants',
        headers: api.t.admin,
        payload: body,
      });
      assert.equal(response.statusCode, 201, response.body);
      const { tenant, api_key } = response.json();
      return { tenant, apiKey: api_key, auth: { authorization: `Bearer ${api_key.key}` } };
    },
    async createConnection(auth, body = {}) {
      const response = await api.t.app.inject({
        method: 'POST',
        url: '/api/v1/connections',
        headers: auth,
        payload: { connector_id: 'commerce-orders', ...body },
      });
      assert.equal(response.statusCode, 201, response.body);
      return response.json();
    },
    emit: (auth, connectionId, body) =>
      api.t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: auth,
        payload: { connection_id: connectionId, ...body },
      }),
  };
  before(async () => {
    api.t = await startTestApp();
  });
  after(() => api.t.close());
  return api;
}
