import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DELIVERY_FORMATS, type DeliveryFormat, type HttpAction } from '@sluice/core';
import {
  cloudEventToEnvelope,
  decodeHttp,
  deviceBatchToEmissions,
  fromIntegrationEvent,
} from '@sluice/core/codecs';
import { verifyWebhook } from '@sluice/signatures';
import { Webhook } from 'standardwebhooks';
import {
  type BuildResult,
  buildDeliveryRequest,
  type DeliveryInput,
  type DeliveryRequest,
} from './delivery-request.ts';
import { envelopeFixture, TEST_SECRET } from './testing/envelope-fixture.ts';

const envelope = envelopeFixture();
const action: HttpAction = { type: 'http', url: 'https://hooks.example.com/in' };

function build(overrides: Partial<DeliveryInput> = {}): BuildResult {
  return buildDeliveryRequest({
    action,
    secret: TEST_SECRET,
    idempotencyKey: 'job_0190f2a47b1c7d3e8f00123456789abc',
    envelope,
    nowMs: Date.now(),
    spanId: '00f067aa0ba902b7',
    ...overrides,
  });
}

function built(overrides: Partial<DeliveryInput> = {}): DeliveryRequest {
  const result = build(overrides);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.request;
}

function decodeBack(format: DeliveryFormat, request: DeliveryRequest): unknown {
  const text = request.body.toString('utf8');
  switch (format) {
    case 'envelope':
      return JSON.parse(text);
    case 'cloudevents': {
      const decoded = decodeHttp(request.headers, request.body);
      assert.ok(decoded.ok);
      assert.equal(decoded.value.mode, 'structured');
      return cloudEventToEnvelope(decoded.value.events[0]!);
    }
    case 'integration-event':
      return fromIntegrationEvent(JSON.parse(text));
    case 'device-batch': {
      const [emission] = deviceBatchToEmissions(JSON.parse(text), { source: envelope.source });
      return emission;
    }
  }
}

describe('buildDeliveryRequest', () => {
  for (const format of DELIVERY_FORMATS) {
    it(`${format}: signed per Standard Webhooks, verified by the standardwebhooks package`, () => {
      const request = built({ action: { ...action, format } });
      const verified = new Webhook(TEST_SECRET).verify(request.body, request.headers);
      assert.deepEqual(verified, JSON.parse(request.body.toString('utf8')));
      const ours = verifyWebhook(
        { scheme: 'standard-webhooks' },
        { rawBody: request.body, headers: request.headers, secrets: [TEST_SECRET], nowMs: Date.now() },
      );
      assert.equal(ours.ok, true);
    });
  }

  it('envelope (the default): the envelope as stored, application/json', () => {
    const request = built();
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(decodeBack('envelope', request), envelope);
  });

  it('cloudevents: a structured CloudEvent that decodes back to the envelope', () => {
    const request = built({ action: { ...action, format: 'cloudevents' } });
    assert.equal(request.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
    assert.deepEqual(decodeBack('cloudevents', request), envelope);
    const event = JSON.parse(request.body.toString('utf8'));
    assert.equal(event.id, envelope.event_id);
    assert.equal(event.traceid, envelope.trace_id);
  });

  it('cloudevents: an envelope that came in as a CloudEvent goes out with its own attributes', () => {
    const arrived = envelopeFixture({
      cloudevent: {
        specversion: '1.0',
        id: 'A-42',
        source: 'urn:sensors:hall-3',
        type: 'reading.recorded',
        subject: 'dev-7',
        time: '2026-06-11T11:03:02+02:00',
        extensions: { region: 'eu-west', attempt: 3 },
      },
    });
    const request = built({ envelope: arrived, action: { ...action, format: 'cloudevents' } });
    const event = JSON.parse(request.body.toString('utf8'));
    assert.deepEqual(
      [event.id, event.source, event.type, event.subject, event.time, event.region, event.attempt],
      ['A-42', 'urn:sensors:hall-3', 'reading.recorded', 'dev-7', '2026-06-11T11:03:02+02:00', 'eu-west', 3],
    );
    assert.equal(event.sluiceeventid, arrived.event_id);
    assert.equal(event.tenantid, arrived.tenant_id);
    assert.deepEqual(event.data, arrived.payload);
    assert.deepEqual(decodeBack('cloudevents', request), arrived);
  });

  it('integration-event: the camelCase shape, which decodes back to the envelope', () => {
    const request = built({ action: { ...action, format: 'integration-event' } });
    const body = JSON.parse(request.body.toString('utf8'));
    for (const key of [
      'eventId',
      'eventType',
      'tenantId',
      'traceId',
      'correlationId',
      'causationId',
      'occurredAt',
      'payload',
    ]) {
      assert.ok(key in body, key);
    }
    assert.deepEqual(decodeBack('integration-event', request), envelope);
  });

  it('device-batch: a batch of the one envelope, emitted at the send time, that decodes to its emission', () => {
    const nowMs = Date.parse('2026-06-11T09:05:00Z');
    const request = built({ action: { ...action, format: 'device-batch' }, nowMs });
    const batch = JSON.parse(request.body.toString('utf8'));
    assert.equal(batch.event_id, envelope.event_id);
    assert.equal(batch.provider, envelope.source);
    assert.equal(batch.emitted_at, nowMs);
    assert.deepEqual(
      batch.devices.map((d: { device_id: string }) => d.device_id),
      ['dev-7'],
    );
    assert.deepEqual(decodeBack('device-batch', request), {
      source: envelope.source,
      event_type: envelope.event_type,
      dedupe_key: `${envelope.source}:${envelope.event_type}:r-42`,
      stream: envelope.stream,
      occurred_at: null,
      payload: envelope.payload,
    });
  });

  it('webhook-id is the idempotency key on every attempt; timestamp and signature follow the clock', () => {
    const first = built({ nowMs: 1_780_000_000_000 });
    const retry = built({ nowMs: 1_780_000_060_000 });
    assert.equal(first.headers['webhook-id'], 'job_0190f2a47b1c7d3e8f00123456789abc');
    assert.equal(retry.headers['webhook-id'], first.headers['webhook-id']);
    assert.equal(first.headers['webhook-timestamp'], '1780000000');
    assert.equal(retry.headers['webhook-timestamp'], '1780000060');
    assert.notEqual(retry.headers['webhook-signature'], first.headers['webhook-signature']);
    assert.match(first.headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]+=*$/);
  });

  it("propagates the envelope's trace in traceparent", () => {
    assert.equal(built().headers['traceparent'], `00-${envelope.trace_id}-00f067aa0ba902b7-01`);
    const unspanned = buildDeliveryRequest({ action, secret: null, idempotencyKey: 'k', envelope, nowMs: 0 });
    assert.ok(unspanned.ok);
    const random = unspanned.request;
    assert.match(
      random.headers['traceparent'] ?? '',
      new RegExp(`^00-${envelope.trace_id}-[0-9a-f]{16}-01$`),
    );
    const untraced = built({ envelope: envelopeFixture({ trace_id: 'nope' }) });
    assert.equal(untraced.headers['traceparent'], undefined);
  });

  it("sends the trigger's own headers, which cannot override the platform's", () => {
    const headers = {
      'X-Api-Key': 'k-1',
      'User-Agent': 'acme/2',
      'Webhook-Id': 'forged',
      'webhook-signature': 'v1,forged',
      'Webhook-Custom': 'x',
      'Content-Type': 'text/plain',
      TraceParent: '00-00000000000000000000000000000001-0000000000000001-01',
      Host: 'internal.example',
    };
    const request = built({ action: { ...action, headers } });
    assert.equal(request.headers['x-api-key'], 'k-1');
    assert.equal(request.headers['user-agent'], 'acme/2');
    assert.equal(request.headers['webhook-id'], 'job_0190f2a47b1c7d3e8f00123456789abc');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['traceparent'], `00-${envelope.trace_id}-00f067aa0ba902b7-01`);
    assert.equal(request.headers['webhook-custom'], undefined);
    assert.equal(request.headers['host'], undefined);
    assert.doesNotThrow(() => new Webhook(TEST_SECRET).verify(request.body, request.headers));
  });

  it('sends a default User-Agent', () => {
    assert.equal(built().headers['user-agent'], 'Sluice-Webhooks/1');
  });

  it('without a secret sends the id and timestamp, unsigned', () => {
    const request = built({ secret: null, nowMs: 1_780_000_000_000 });
    assert.equal(request.headers['webhook-id'], 'job_0190f2a47b1c7d3e8f00123456789abc');
    assert.equal(request.headers['webhook-timestamp'], '1780000000');
    assert.equal(request.headers['webhook-signature'], undefined);
  });

  it('is a result, not a throw, for an unusable secret or an unknown format', () => {
    const secret = build({ secret: 'whsec_***not base64***' });
    assert.equal(!secret.ok && secret.rule, 'secret_invalid');
    const format = build({ action: { ...action, format: 'xml' as DeliveryFormat } });
    assert.deepEqual(format, {
      ok: false,
      rule: 'format_unknown',
      message: 'Unknown delivery format "xml".',
    });
  });
});
