import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOUDEVENTS_DEFAULT_VERIFY } from '@sluice/connectors';
import type { Envelope } from '@sluice/core';
import {
  type CloudEvent,
  decodeHttp,
  encodeBatch,
  encodeBinary,
  encodeStructured,
  envelopeToCloudEvent,
  type HttpMessage,
} from '@sluice/core/codecs';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * A CloudEvent in, through the shipped cloudevents connector and the real ingest route, stored, read back
 * from the API, and out again as a CloudEvent: the same id, source, type, subject, time, extensions
 * and data, in every HTTP mode.
 */

const secret = 'cloudevents-roundtrip-secret';

function order(id: string, extra: Record<string, unknown> = {}): CloudEvent {
  return {
    specversion: '1.0',
    id,
    source: 'urn:shop:eu-1',
    type: 'order.created',
    subject: `orders/${id}`,
    time: '2026-11-22T06:00:00.5+01:00',
    datacontenttype: 'application/json',
    dataschema: 'https://example.com/schemas/order.json',
    region: 'eu-west',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    ...extra,
    data: { entity: { kind: 'order', id }, total: 12.5, lines: [{ sku: 'Ω-7', qty: 2 }] },
  };
}

describe('a CloudEvent round trip through ingest and the store', () => {
  let t: TestApp;
  let ingestUrl: string;
  let auth: { authorization: string };
  let tenantId: string;
  let connectionId: string;

  before(async () => {
    t = await startTestApp();
    const made = await t.tenant('Round trip');
    auth = made.auth;
    tenantId = made.tenant.id;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'cloudevents', secret },
    });
    assert.equal(created.statusCode, 201, created.body);
    connectionId = created.json().connection.id;
    ingestUrl = `/api/v1/ingest/${connectionId}`;
  });
  after(() => t.close());

  const send = async (message: HttpMessage | { headers: Record<string, string>; body: string }) => {
    const signature = signWebhook(CLOUDEVENTS_DEFAULT_VERIFY, {
      secret,
      rawBody: message.body,
      nowMs: Date.now(),
    });
    const response = await t.app.inject({
      method: 'POST',
      url: ingestUrl,
      headers: { ...message.headers, ...signature },
      payload: message.body,
    });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().results as ReadonlyArray<{ status: string; event_id: string }>;
  };

  const storedEnvelope = async (eventId: string): Promise<Envelope> => {
    const response = await t.app.inject({ url: `/api/v1/events/${eventId}`, headers: auth });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().event as Envelope;
  };

  /** Every attribute of `sent` comes back unchanged, the data too, with the platform's extensions. */
  function assertRoundTrip(envelope: Envelope, sent: CloudEvent): void {
    assert.equal(envelope.tenant_id, tenantId);
    assert.equal(envelope.dedupe_key, `${sent.source}:${sent.id}`);
    assert.equal(envelope.cloudevent?.subject, sent.subject);
    const back = envelopeToCloudEvent(envelope);
    for (const [name, value] of Object.entries(sent)) assert.deepEqual(back[name], value, name);
    assert.equal(back['sluiceeventid'], envelope.event_id);
    assert.equal(back['tenantid'], tenantId);
    assert.equal(back['connectionid'], connectionId);
    const message = encodeStructured(back);
    const decoded = decodeHttp(message.headers, message.body);
    assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
    assert.deepEqual(decoded.value.events[0], back);
  }

  it('gives back a binary-mode event’s attributes', async () => {
    const sent = order('b-1');
    const [result] = await send(encodeBinary(sent));
    assert.equal(result?.status, 'accepted');
    assertRoundTrip(await storedEnvelope(result?.event_id ?? ''), sent);
  });

  it('gives back a structured-mode event’s attributes, integers and booleans typed', async () => {
    const sent = order('s-1', { attempt: 3, urgent: true });
    const [result] = await send(encodeStructured(sent));
    assert.equal(result?.status, 'accepted');
    const envelope = await storedEnvelope(result?.event_id ?? '');
    assert.deepEqual(envelope.cloudevent?.extensions, {
      region: 'eu-west',
      traceparent: sent['traceparent'],
      attempt: 3,
      urgent: true,
    });
    assertRoundTrip(envelope, sent);
  });

  it('gives back each event of a batch, and of a plain JSON delivery', async () => {
    const batch = [order('m-1'), order('m-2', { subject: 'other' }), order('m-3', { attempt: -1 })];
    const results = await send(encodeBatch(batch));
    assert.deepEqual(
      results.map((r) => r.status),
      ['accepted', 'accepted', 'accepted'],
    );
    for (const [index, sent] of batch.entries()) {
      assertRoundTrip(await storedEnvelope(results[index]?.event_id ?? ''), sent);
    }
    const plain = order('p-1');
    const [result] = await send({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(plain),
    });
    assertRoundTrip(await storedEnvelope(result?.event_id ?? ''), plain);
  });

  it('still dedupes on source and id, whatever else changed, and lists the attributes', async () => {
    const [first] = await send(encodeBinary(order('d-1')));
    const [again] = await send(encodeStructured(order('d-1', { subject: 'changed', region: 'us' })));
    assert.equal(again?.status, 'duplicate');
    assert.equal(again?.event_id, first?.event_id);
    assert.equal((await storedEnvelope(first?.event_id ?? '')).cloudevent?.subject, 'orders/d-1');

    const listed = await t.app.inject({ url: `/api/v1/events?connection_id=${connectionId}`, headers: auth });
    const items = listed.json().items as ReadonlyArray<Envelope>;
    assert.equal(items.length, 7);
    for (const envelope of items) assert.equal(envelope.cloudevent?.source, 'urn:shop:eu-1');
  });
});
