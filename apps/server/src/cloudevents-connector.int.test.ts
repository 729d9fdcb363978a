import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLOUDEVENTS_DEFAULT_VERIFY } from '@sluice/connectors';
import { type CloudEvent, encodeBatch, encodeBinary, encodeStructured } from '@sluice/core/codecs';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

const secret = 'cloudevents-shared-secret';

describe('the shipped cloudevents connector, end to end', () => {
  let t: TestApp;
  let ingestUrl: string;
  let auth: { authorization: string };

  before(async () => {
    t = await startTestApp();
    ({ auth } = await t.tenant('CloudEvents'));
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/connections',
      headers: auth,
      payload: { connector_id: 'cloudevents', secret },
    });
    assert.equal(created.statusCode, 201, created.body);
    ingestUrl = `/api/v1/ingest/${created.json().connection.id}`;
  });
  after(() => t.close());

  const send = (message: { headers: Record<string, string>; body: Buffer | string }) =>
    t.app.inject({
      method: 'POST',
      url: ingestUrl,
      headers: {
        ...message.headers,
        ...signWebhook(CLOUDEVENTS_DEFAULT_VERIFY, { secret, rawBody: message.body, nowMs: Date.now() }),
      },
      payload: message.body,
    });
  const reading = (id: string): CloudEvent => ({
    specversion: '1.0',
    id,
    source: '/gateways/7',
    type: 'sensor.reading',
    time: '2026-11-22T05:00:00Z',
    datacontenttype: 'application/json',
    data: { entity: { kind: 'sensor', id: 'zone-12' }, celsius: 21.5 },
  });

  it('accepts binary, structured, batch and plain-JSON CloudEvents, each event once', async () => {
    const binary = await send(encodeBinary(reading('r-1')));
    assert.equal(binary.statusCode, 200, binary.body);
    assert.equal(binary.json().accepted, 1);

    const structured = await send(encodeStructured(reading('r-1')));
    assert.equal(structured.json().duplicates, 1, 'the same source and id is one event, whatever the mode');
    assert.equal(structured.json().results[0].event_id, binary.json().results[0].event_id);

    const batch = await send(encodeBatch([reading('r-2'), reading('r-3')]));
    assert.deepEqual(
      batch.json().results.map((r: { status: string }) => r.status),
      ['accepted', 'accepted'],
    );

    const plain = await send({
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reading('r-4')),
    });
    assert.equal(plain.json().accepted, 1, plain.body);

    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?event_type=sensor.*',
      headers: auth,
    });
    assert.deepEqual(
      listed.json().items.map((e: { dedupe_key: string }) => e.dedupe_key),
      ['/gateways/7:r-1', '/gateways/7:r-2', '/gateways/7:r-3', '/gateways/7:r-4'],
    );
  });

  it('refuses an unsigned CloudEvent', async () => {
    const message = encodeBinary(reading('r-9'));
    const response = await t.app.inject({
      method: 'POST',
      url: ingestUrl,
      headers: message.headers,
      payload: message.body,
    });
    assert.equal(response.statusCode, 401);
    assert.equal(response.json().error.code, 'signature_missing');
  });
});
