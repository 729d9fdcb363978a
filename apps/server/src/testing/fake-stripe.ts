import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A Stripe customer as the fake lists it. */
export interface FakeCustomer {
  readonly id: string;
  readonly email: string;
  readonly created: number;
}

export interface FakeStripe {
  readonly url: string;
  /** Every request's path and query, in order. */
  readonly requests: string[];
  /** Each list page waits this long before it answers, in ms. */
  delayMs: number;
  /** The next this-many requests answer 429 with `Retry-After: retryAfter`. */
  limitNext: number;
  retryAfter: string;
  close(): Promise<void>;
}

/**
 * A local Stripe-shaped customers API on 127.0.0.1: `GET /v1/customers` with `limit`, `starting_after`,
 * `created[gte]` and `created[lt]`, answering `{object: "list", data, has_more}` in id order.
 */
export async function startFakeStripe(customers: ReadonlyArray<FakeCustomer>): Promise<FakeStripe> {
  const sorted = [...customers].sort((a, b) => (a.id < b.id ? -1 : 1));
  const state = { delayMs: 0, limitNext: 0, retryAfter: '1' };
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '/');
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    response.setHeader('content-type', 'application/json');
    if (state.limitNext > 0) {
      state.limitNext--;
      response.statusCode = 429;
      response.setHeader('retry-after', state.retryAfter);
      response.end(JSON.stringify({ error: { type: 'rate_limit_error' } }));
      return;
    }
    if (url.pathname !== '/v1/customers') {
      response.statusCode = 404;
      response.end('{}');
      return;
    }
    const limit = Number(url.searchParams.get('limit') ?? 10);
    const after = url.searchParams.get('starting_after');
    const gte = Number(url.searchParams.get('created[gte]') ?? -Infinity);
    const lt = Number(url.searchParams.get('created[lt]') ?? Infinity);
    const inWindow = sorted.filter((c) => c.created >= gte && c.created < lt);
    const start = after === null ? 0 : inWindow.findIndex((c) => c.id === after) + 1;
    const data = inWindow.slice(start, start + limit).map((c) => ({ object: 'customer', ...c }));
    const body = JSON.stringify({
      object: 'list',
      data,
      has_more: start + limit < inWindow.length,
      url: '/v1/customers',
    });
    setTimeout(() => response.end(body), state.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value) {
      state.delayMs = value;
    },
    get limitNext() {
      return state.limitNext;
    },
    set limitNext(value) {
      state.limitNext = value;
    },
    get retryAfter() {
      return state.retryAfter;
    },
    set retryAfter(value) {
      state.retryAfter = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `n` customers `cus_0001`… created one minute apart from 2026-01-01. */
export function fakeCustomers(n: number): FakeCustomer[] {
  const base = Date.parse('2026-01-01T00:00:00Z') / 1000;
  return Array.from({ length: n }, (_, i) => ({
    id: `cus_${String(i + 1).padStart(4, '0')}`,
    email: `c${i + 1}@example.test`,
    created: base + i * 60,
  }));
}
