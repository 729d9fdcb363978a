import { createHmac } from 'node:crypto';
import { signWebhook } from '@sluice/signatures';
import {
  deepConditionBodies,
  edgeConditions,
  HOSTILE_IDS,
  HOSTILE_STRINGS,
  hostileConditions,
  malformedBodies,
  type Random,
} from './hostile-values.ts';

/** A route as the OpenAPI document lists it: `/api/v1/triggers/{trigger_id}` and its methods. */
export interface RouteEntry {
  readonly path: string;
  readonly methods: ReadonlyArray<string>;
}

/** One tenant of the run: its key, its ids, its connections with their signing secrets. */
export interface HostileTenant {
  readonly id: string;
  readonly key: string;
  readonly connections: ReadonlyArray<{ id: string; connector: string; secret: string }>;
  readonly triggerIds: ReadonlyArray<string>;
}

/** What the generator knows of the server under attack. */
export interface HostileWorld {
  readonly routes: ReadonlyArray<RouteEntry>;
  /** The attacker's own tenant, and the one whose ids and keys it must never reach. */
  readonly own: HostileTenant;
  readonly other: HostileTenant;
  readonly adminKey: string;
}

/** A request to send: over fetch, or over a raw socket when it is not even well-formed HTTP. */
export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  /** The route template, for the summary. */
  readonly route: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer | null;
  /** Raw bytes of a whole request, for the malformed-HTTP lane. */
  readonly raw?: Buffer;
  /** A trigger body whose condition, if accepted, is timed afterwards. */
  readonly condition?: unknown;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/cloudevents+json',
  'application/cloudevents-batch+json',
  'text/plain',
  'text/event-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/xml',
  'application/json, text/plain',
  'application/json\u00ff',
  'x'.repeat(2_000),
];

const EXTRA_ROUTES: ReadonlyArray<RouteEntry> = [
  { path: '/healthz', methods: ['GET'] },
  { path: '/readyz', methods: ['GET'] },
  { path: '/metrics', methods: ['GET'] },
  { path: '/openapi.json', methods: ['GET'] },
  { path: '/', methods: ['GET'] },
  { path: '/nope/{id}', methods: ['GET', 'POST'] },
];

/** JSON bodies near what each route wants, for mutation: a valid-looking body gets further in. */
function templateFor(route: string, world: HostileWorld, random: Random): Record<string, unknown> {
  const connection = random.pick([...world.own.connections, ...world.other.connections]);
  if (route.startsWith('/api/v1/triggers'))
    return {
      name: 'fuzz trigger',
      event_types: random.chance(0.7)
        ? ['order.*']
        : random.pick([['*'], ['order.created', 'order.updated'], ['a'.repeat(500)]]),
      condition: random.chance(0.4) ? random.pick(edgeConditions()) : random.pick(hostileConditions()),
      priority: random.pick([null, null, 'P1', 'P4', 'P9']),
      action: random.chance(0.6)
        ? { type: 'handler', name: 'noop' }
        : random.pick([
            { type: 'handler', name: 'noop' },
            { type: 'http', url: 'http://127.0.0.1:1/hook' },
            { type: 'http', url: 'http://169.254.169.254/latest/meta-data' },
            { type: 'http', url: 'file:///etc/passwd' },
            { type: 'handler', name: '../../../etc/passwd' },
          ]),
    };
  if (route === '/api/v1/events')
    return {
      connection_id: connection.id,
      emission: {
        source: 'fuzz',
        event_type: random.pick(['order.created', 'undeclared.type', '']),
        dedupe_key: `fuzz:${random.int(1e9)}`,
        payload: { entity: { kind: 'order', id: String(random.int(1e6)) }, total: random.int(100) },
      },
    };
  if (route.startsWith('/api/v1/connections'))
    return {
      connector_id: random.pick(['commerce-orders', 'nope', '../x']),
      secret: random.pick(HOSTILE_STRINGS),
    };
  if (route.startsWith('/api/v1/tenants')) return { name: random.pick(HOSTILE_STRINGS) };
  if (route.startsWith('/api/v1/dead-letter'))
    return { ids: [random.pick(HOSTILE_IDS)], rate_per_second: -1 };
  if (route.startsWith('/api/v1/subscriptions'))
    return { url: 'http://127.0.0.1:1/', event_types: ['*'], condition: random.pick(hostileConditions()) };
  return { name: random.pick(HOSTILE_STRINGS), limit: random.pick([-1, 0, 1e12, 'x']) };
}

/** Replaces one value somewhere in `body` with something hostile. */
function mutate(body: Record<string, unknown>, random: Random): Record<string, unknown> {
  const keys = Object.keys(body);
  const key = random.chance(0.2)
    ? random.pick(['__proto__', 'constructor', 'tenant_id', 'extra'])
    : random.pick(keys);
  const value = random.pick<unknown>([
    ...HOSTILE_STRINGS,
    null,
    [],
    {},
    -1,
    1e308,
    Number.MAX_SAFE_INTEGER + 2,
    true,
    [random.pick(HOSTILE_STRINGS)],
    { nested: { deeper: random.pick(HOSTILE_STRINGS) } },
  ]);
  return { ...body, [key as string]: value };
}

function fillPath(template: string, world: HostileWorld, random: Random): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const mine =
      name === 'tenant_id'
        ? [world.own.id]
        : [...world.own.connections.map((c) => c.id), ...world.own.triggerIds];
    const theirs =
      name === 'tenant_id'
        ? [world.other.id]
        : [...world.other.connections.map((c) => c.id), ...world.other.triggerIds];
    if (name === 'connector')
      return random.pick(['commerce-orders', 'github', 'nope', '%2e%2e', 'a'.repeat(400)]);
    const roll = random.next();
    if (roll < 0.3) return random.pick(theirs);
    if (roll < 0.45) return random.pick(mine);
    return random.pick(HOSTILE_IDS);
  });
}

function authHeader(world: HostileWorld, random: Random): Record<string, string> {
  const roll = random.next();
  if (roll < 0.45) return { authorization: `Bearer ${world.own.key}` };
  if (roll < 0.55) return { authorization: `Bearer ${world.other.key}` };
  if (roll < 0.6) return { authorization: `Bearer ${world.adminKey}` };
  if (roll < 0.65) return { authorization: `Bearer ${world.own.key.slice(0, -3)}` };
  if (roll < 0.7) return { authorization: `Bearer ${world.own.key}x` };
  if (roll < 0.75) return { authorization: `Bearer ${world.adminKey.slice(0, -1)}` };
  if (roll < 0.8)
    return {
      authorization: random.pick([
        'Basic YTpi',
        'Bearer',
        'Bearer  ',
        `Bearer ${'k'.repeat(8_000)}`,
        "Bearer ' OR 1=1 --",
      ]),
    };
  return {};
}

/** Signature headers for an ingest request: valid, forged, truncated, reused, stale or from the future. */
function signatureHeaders(
  connector: string,
  secret: string,
  body: Buffer,
  random: Random,
): Record<string, string> {
  const roll = random.next();
  const now = Date.now();
  const nowMs = roll < 0.1 ? now - 3_600_000 : roll < 0.2 ? now + 3_600_000 : now;
  const useSecret = roll > 0.2 && roll < 0.35 ? `${secret}-forged` : secret;
  const signed = roll > 0.35 && roll < 0.45 ? Buffer.concat([body, Buffer.from(' ')]) : body;
  let headers: Record<string, string>;
  try {
    if (connector === 'commerce-orders')
      headers = signWebhook({ scheme: 'shopify' }, { secret: useSecret, rawBody: signed, nowMs });
    else if (connector === 'github')
      headers = signWebhook({ scheme: 'github' }, { secret: useSecret, rawBody: signed, nowMs });
    else if (connector === 'standard-webhooks')
      headers = signWebhook({ scheme: 'standard-webhooks' }, { secret: useSecret, rawBody: signed, nowMs });
    else
      headers = signWebhook(
        {
          scheme: 'hmac-sha256',
          header: 'x-signature',
          prefix: 'sha256=',
          encoding: 'hex',
          timestampHeader: 'x-signature-timestamp',
        },
        { secret: useSecret, rawBody: signed, nowMs },
      );
  } catch {
    headers = { 'x-shopify-hmac-sha256': createHmac('sha256', 'x').update(body).digest('base64') };
  }
  if (random.chance(0.1)) {
    // Truncated, or one character changed.
    const name = random.pick(Object.keys(headers));
    const value = headers[name] ?? '';
    headers[name] = random.chance(0.5)
      ? value.slice(0, Math.max(1, value.length >> 1))
      : `${value.slice(0, -2)}A=`;
  }
  if (random.chance(0.05))
    headers['webhook-timestamp'] = random.pick(['abc', '-1', '9'.repeat(30), '1e10', '']);
  headers['x-shopify-topic'] = random.pick([
    'orders/create',
    'orders/updated',
    'orders/create',
    'nope',
    '../x',
  ]);
  headers['x-github-event'] = random.pick(['push', 'issues', 'ping', 'nope']);
  return headers;
}

/** An order body the commerce connector would map, for requests whose signature is the point. */
function orderBody(random: Random): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: random.int(1e12),
      name: '#1',
      created_at: '2025-03-14T10:21:33-04:00',
      updated_at: '2025-03-14T10:21:35-04:00',
      currency: 'EUR',
      total_price: random.pick(['1.00', 'NaN', '1e400', '-1']),
      line_items: random.chance(0.1) ? 'nope' : [],
    }),
  );
}

/** Malformed HTTP for the raw lane: header injection, bad framing, bad header characters. */
function rawRequest(path: string, random: Random): Buffer {
  const variants = [
    `POST ${path} HTTP/1.1\r\nhost: x\r\nx-a: b\rinjected: 1\r\ncontent-length: 2\r\n\r\n{}`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\ncontent-length: 5\r\n\r\n{}`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\nx-\u0000: 1\r\ncontent-length: 0\r\n\r\n`,
    `GET ${path} HTTP/1.1\r\nhost: x\r\n${'x-pad: a\r\n'.repeat(3_000)}\r\n`,
    `GET ${path}\u0000 HTTP/1.1\r\nhost: x\r\n\r\n`,
    `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nhost: x\r\n\r\n`,
    `BREW ${path} HTTP/1.1\r\nhost: x\r\n\r\n`,
    `GET ${path} HTTP/9.9\r\nhost: x\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: -1\r\n\r\n`,
    `POST ${path} HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\ncontent-length: 2\r\n\r\n{}`,
  ];
  return Buffer.from(random.pick(variants), 'latin1');
}

/** The next hostile request, drawn from every route, every kind of bad input. */
export function hostileRequest(world: HostileWorld, random: Random): HostileRequest {
  const bodies = malformedBodies();
  const routes = [...world.routes, ...EXTRA_ROUTES];
  const entry = random.chance(0.35)
    ? random.pick(
        routes.filter(
          (r) => r.path.includes('/ingest/') || r.path.includes('/webhooks/') || r.path.includes('trigger'),
        ),
      )
    : random.pick(routes);
  const path = fillPath(entry.path, world, random);
  if (random.chance(0.04)) {
    const raw = rawRequest(path, random);
    return { method: 'RAW', path, route: entry.path, headers: {}, body: null, raw };
  }
  const method = random.chance(0.08)
    ? random.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'])
    : random.pick(entry.methods);
  const ingest = entry.path.includes('/ingest/') || entry.path.includes('/webhooks/');
  const headers: Record<string, string> = {};
  let body: Buffer | null = null;
  let condition: unknown;
  if (method !== 'GET' && method !== 'HEAD') {
    const roll = random.next();
    if (roll < 0.3) body = random.pick(bodies);
    else if (entry.path.includes('trigger') && roll < 0.35) body = random.pick(deepConditionBodies());
    else if (ingest && roll < 0.7) body = orderBody(random);
    else {
      let json = templateFor(entry.path, world, random);
      if (random.chance(0.3)) json = mutate(json, random);
      condition = json['condition'];
      const text = JSON.stringify(json);
      body = Buffer.from(random.chance(0.1) ? text.slice(0, random.int(text.length)) : text);
    }
    headers['content-type'] = random.chance(0.8) ? 'application/json' : random.pick(CONTENT_TYPES);
  }
  if (ingest) {
    const connection = random.pick([...world.own.connections, ...world.other.connections]);
    const owner = world.own.connections.includes(connection) ? world.own : world.other;
    const target = path.includes('/ingest/')
      ? connection
      : (owner.connections.find((c) => path.includes(c.connector)) ?? connection);
    Object.assign(
      headers,
      signatureHeaders(target.connector, target.secret, body ?? Buffer.alloc(0), random),
    );
  } else Object.assign(headers, authHeader(world, random));
  if (random.chance(0.03)) headers['x-pad'] = 'a'.repeat(random.pick([8_000, 20_000, 70_000]));
  if (random.chance(0.02)) for (let i = 0; i < 150; i++) headers[`x-many-${i}`] = String(i);
  if (random.chance(0.05))
    headers['traceparent'] = random.pick([
      '00-zz-zz-01',
      `00-${'0'.repeat(32)}-${'0'.repeat(16)}-00`,
      'x'.repeat(600),
    ]);
  if (random.chance(0.05))
    headers['idempotency-key'] = random.pick(HOSTILE_STRINGS.filter((s) => /^[ -~]+$/.test(s)));
  const query = random.chance(0.2)
    ? `?${random.pick(['limit', 'cursor', 'connection_id', 'event_type', 'since', 'status', 'tenant_id'])}=${random.pick(HOSTILE_IDS)}`
    : '';
  return {
    method,
    path: `${path}${query}`,
    route: entry.path,
    headers,
    body,
    ...(condition === undefined ? {} : { condition }),
  };
}
