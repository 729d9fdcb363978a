import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { MapInput } from '@sluice/core';
import {
  type CloudEvent,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  type HttpMessage,
} from '@sluice/core/codecs';
import { defineConnector } from '@sluice/map';
import type { LightMyRequestResponse } from 'fastify';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * CloudEvents 1.0 over HTTP on a connection's ingest URL: binary, structured and batch modes, one envelope
 * per event, deduped on `${source}:${id}`, every request signed over its raw body.
 */

type Json = Record<string, unknown>;

const SECRET = 'fleet-telemetry-signing-secret-42';

/**
 * A source that speaks CloudEvents, and whose older gateways still post plain JSON readings: those go
 * through the mapping, CloudEvents through the codec.
 */
const fleetConnector = defineConnector({
  id: 'fleet-telemetry',
  version: '1.0.0',
  streams: [
    { key: 'presence', mode: 'webhook', events: ['device.connected', 'device.disconnected'] },
    { key: 'readings', mode: 'webhook', events: ['reading.recorded'] },
  ],
  webhook: {
    verify: { scheme: 'hmac-sha256', header: 'X-Fleet-Signature', timestampHeader: 'X-Fleet-Timestamp' },
    cloudevents: true,
  },
  map: ({ body }: MapInput) => {
    const legacy = body as {
      gateway?: unknown;
      sensor?: unknown;
      seq?: unknown;
      celsius?: unknown;
      at?: unknown;
    };
    if (typeof legacy.gateway !== 'string' || typeof legacy.seq !== 'number') {
      throw new Error(
        'fleet-telemetry: a plain JSON delivery must be a legacy reading { gateway, sensor, seq }',
      );
    }
    return {
      source: 'fleet-telemetry',
      event_type: 'reading.recorded',
      dedupe_key: `legacy:${legacy.gateway}:${legacy.seq}`,
      occurred_at: typeof legacy.at === 'string' ? legacy.at : null,
      payload: {
        entity: { kind: 'sensor', id: `${legacy.gateway}#${String(legacy.sensor)}` },
        celsius: legacy.celsius,
      },
    };
  },
});

function reading(id: string, source: string, celsius: number, extra: Json = {}): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source,
    type: 'reading.recorded',
    time: '2026-06-11T09:00:00.000Z',
    datacontenttype: 'application/json',
    ...extra,
    data: { entity: { kind: 'sensor', id: `${source}#t1` }, celsius, unit: '°C' },
  };
}

const connected: CloudEvent = {
  specversion: '1.0',
  id: 'c-77',
  source: '/fleet/gw-7',
  type: 'device.connected',
  subject: 'gw-7',
  time: '2026-06-11T08:59:58.000Z',
  data: { entity: { kind: 'device', id: 'gw-7' }, firmware: '2.4.1', site: 'Entrepôt Nord' },
};

function assertError(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  const body = response.json() as Json;
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal((body['error'] as Json)['code'], code);
  assert.equal(typeof (body['error'] as Json)['message'], 'string');
}

describe('CloudEvents ingest', () => {
  let t: TestApp;
  // The wall clock: the store dates replay keys by it, so the app's clock must agree with it.
  let clockMs = Date.now();
  let auth: { authorization: string };
  let tenantId: string;
  let connectionId: string;

  before(async () => {
    t = await startTestApp({ connectors: [fleetConnector], now: () => new Date(clockMs) });
    const made = await t.tenant('Fleet');
    auth = made.auth;
    tenantId = made.tenant.id;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'fleet-telemetry', secret: SECRET },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = created.json().connection.id;
  });
  after(() => t.close());

  /** The message's headers plus the signature over `{timestamp}.{raw body}` at the current clock. */
  function signed(message: HttpMessage): Record<string, string> {
    const timestamp = String(Math.floor(clockMs / 1000));
    const digest = createHmac('sha256', SECRET).update(`${timestamp}.`).update(message.body).digest('hex');
    return { ...message.headers, 'x-fleet-timestamp': timestamp, 'x-fleet-signature': digest };
  }

  const send = (message: HttpMessage, headers = signed(message)) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${connectionId}`,
      headers,
      payload: message.body,
    });

  const stored = async () => {
    const page = await t.app.inject({
      url: `/api/v1/events?connection_id=${connectionId}&order=asc`,
      headers: auth,
    });
    assert.equal(page.statusCode, 200);
    return page.json().items as ReadonlyArray<Json>;
  };

  const stateOf = async () => {
    const deadLetters = await t.app.inject({ url: '/api/v1/dead-letters', headers: auth });
    return { events: (await stored()).length, deadLetters: deadLetters.json().items.length as number };
  };

  function assertEnvelope(envelope: Json | undefined, event: CloudEvent): void {
    assert.ok(envelope !== undefined, `an envelope for ${event.source}:${event.id}`);
    assert.equal(envelope['event_type'], event.type);
    assert.equal(envelope['dedupe_key'], `${event.source}:${event.id}`);
    assert.equal(envelope['source'], 'fleet-telemetry');
    assert.equal(envelope['tenant_id'], tenantId);
    assert.equal(envelope['connection_id'], connectionId);
    assert.equal(envelope['occurred_at'], event.time);
    assert.deepEqual(envelope['payload'], event.data);
  }

  it('stores a binary-mode event (attributes in ce- headers, data as the body)', async () => {
    const message = encodeBinary(connected);
    assert.equal(message.headers['ce-specversion'], '1.0');
    const response = await send(message);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 1);
    const events = await stored();
    assert.equal(events.length, 1);
    assertEnvelope(events[0], connected);
    assert.equal(events[0]?.['stream'], 'presence');
  });

  it('stores a structured-mode event', async () => {
    // A tenantid extension is just an attribute: the connection decides the tenant.
    const event = reading('r-1', '/fleet/gw-7', 21.5, { tenantid: 'ten_someone_else' });
    const response = await send(encodeStructured(event));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 1);
    const events = await stored();
    assert.equal(events.length, 2);
    assertEnvelope(events[1], event);
    assert.equal(events[1]?.['stream'], 'readings');
  });

  const batch: ReadonlyArray<CloudEvent> = [
    reading('r-2', '/fleet/gw-7', 21.7),
    // The same id from another source is another event.
    reading('r-2', '/fleet/gw-9', 19.2),
    {
      ...connected,
      id: 'd-78',
      type: 'device.disconnected',
      data: { entity: { kind: 'device', id: 'gw-7' } },
    },
  ];
  let batchEventIds: ReadonlyArray<string>;
  let batchHeaders: Record<string, string>;

  it('stores a batch as one envelope per event, in order', async () => {
    const message = encodeBatch(batch);
    batchHeaders = signed(message);
    const response = await send(message, batchHeaders);
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 3);
    const results = response.json().results as ReadonlyArray<{
      index: number;
      status: string;
      event_id: string;
    }>;
    assert.deepEqual(
      results.map((r) => [r.index, r.status]),
      [
        [0, 'accepted'],
        [1, 'accepted'],
        [2, 'accepted'],
      ],
    );
    batchEventIds = results.map((r) => r.event_id);
    const events = await stored();
    assert.equal(events.length, 5);
    for (const [index, event] of batch.entries()) {
      assertEnvelope(
        events.find((envelope) => envelope['event_id'] === batchEventIds[index]),
        event,
      );
    }
  });

  it('acknowledges the re-signed batch as all duplicates, and refuses the same signed request as a replay', async () => {
    clockMs += 20_000;
    const response = await send(encodeBatch(batch));
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json().accepted, 0);
    assert.equal(response.json().duplicates, 3);
    assert.deepEqual(
      (response.json().results as ReadonlyArray<{ event_id: string }>).map((r) => r.event_id),
      batchEventIds,
    );
    assertError(await send(encodeBatch(batch), batchHeaders), 401, 'webhook_replayed');
    assert.equal((await stored()).length, 5);
  });

  it('refuses invalid CloudEvents with 400 invalid_cloudevent, storing nothing', async () => {
    const before = await stateOf();
    const { specversion: _dropped, ...unversioned } = reading('r-3', '/fleet/gw-7', 22);
    const structured: HttpMessage = {
      headers: { 'content-type': 'application/cloudevents+json' },
      body: Buffer.from(JSON.stringify(unversioned)),
    };
    assertError(await send(structured), 400, 'invalid_cloudevent');

    // One bad element fails the whole batch.
    const mixed: HttpMessage = {
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: Buffer.from(JSON.stringify([reading('r-4', '/fleet/gw-7', 22), unversioned])),
    };
    assertError(await send(mixed), 400, 'invalid_cloudevent');

    // A binary-mode message whose ce- attributes are not valid.
    const badTime = encodeBinary(reading('r-5', '/fleet/gw-7', 22));
    const binary: HttpMessage = {
      headers: { ...badTime.headers, 'ce-time': 'yesterday' },
      body: badTime.body,
    };
    assertError(await send(binary), 400, 'invalid_cloudevent');

    const notAnArray: HttpMessage = {
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: Buffer.from(JSON.stringify(reading('r-6', '/fleet/gw-7', 22))),
    };
    assertError(await send(notAnArray), 400, 'invalid_cloudevent');

    const malformed: HttpMessage = {
      headers: { 'content-type': 'application/cloudevents+json' },
      body: Buffer.from('{"specversion":"1.0","id":'),
    };
    assertError(await send(malformed), 400, 'invalid_json');
    assert.deepEqual(await stateOf(), before);
  });

  it('dead-letters a valid CloudEvent of a type the connector does not declare', async () => {
    const before = await stateOf();
    const event: CloudEvent = { ...connected, id: 'x-1', type: 'device.rebooted' };
    const response = await send(encodeStructured(event));
    assert.equal(response.statusCode, 202, response.body);
    assert.equal(response.json().status, 'dead_lettered');
    assert.deepEqual(await stateOf(), { events: before.events, deadLetters: before.deadLetters + 1 });
  });

  it('sends plain JSON without CloudEvents markers through the connector’s mapping', async () => {
    const legacy = { gateway: 'gw-3', sensor: 't1', seq: 991, celsius: 20.1, at: '2026-06-11T09:00:01.000Z' };
    const message: HttpMessage = {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(legacy)),
    };
    const response = await send(message);
    assert.equal(response.statusCode, 200, response.body);
    const [eventId] = (response.json().results as ReadonlyArray<{ event_id: string }>).map((r) => r.event_id);
    const envelope = (await stored()).find((e) => e['event_id'] === eventId);
    assert.equal(envelope?.['dedupe_key'], 'legacy:gw-3:991');

    // Binary mode is recognised by ce-specversion alone; without it, the body is a plain delivery.
    const { 'ce-specversion': _version, ...unmarked } = encodeBinary(
      reading('r-8', '/fleet/gw-7', 22),
    ).headers;
    const fallthrough = await send({
      headers: unmarked,
      body: encodeBinary(reading('r-8', '/fleet/gw-7', 22)).body,
    });
    assert.equal(fallthrough.statusCode, 202, fallthrough.body);
    assert.match(fallthrough.json().failure.message, /legacy reading/);
  });

  it('refuses an unsigned or forged CloudEvent like any other delivery', async () => {
    const message = encodeStructured(reading('r-7', '/fleet/gw-7', 23));
    assertError(await send(message, message.headers), 401, 'signature_missing');
    const forged = { ...signed(message), 'x-fleet-signature': '00'.repeat(32) };
    assertError(await send(message, forged), 401, 'signature_invalid');
  });
});
