import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import { EnvelopeSchema } from '../envelope-schema.ts';
import { SluiceError } from '../errors.ts';
import type { CloudEvent } from './cloudevent.ts';
import { cloudEventSource, ENVELOPE_EXTENSIONS } from './cloudevent-attributes.ts';
import { cloudEventToEmission, cloudEventToEnvelope, envelopeToCloudEvent } from './cloudevents.ts';
import { decodeHttp, encodeBatch, encodeBinary, encodeStructured } from './cloudevents-http.ts';
import { FIXTURE_ENVELOPES } from './envelope-fixtures.ts';

const [complete, sparse] = FIXTURE_ENVELOPES;

function invalid(attribute: string): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof SluiceError, `expected a SluiceError, got ${String(error)}`);
    assert.equal(error.code, 'invalid_cloudevent');
    assert.deepEqual(error.details, { attribute });
    return true;
  };
}

describe('envelopeToCloudEvent', () => {
  it('maps the core attributes', () => {
    const ce = envelopeToCloudEvent(complete!);
    assert.equal(ce.specversion, '1.0');
    assert.equal(ce.id, complete!.event_id);
    assert.equal(ce.source, '/sluice/tenants/ten_01/connections/con_01');
    assert.equal(ce.type, 'order.fulfilled');
    assert.equal(ce.subject, 'order:42');
    assert.equal(ce.time, '2026-06-11T09:03:02Z');
    assert.equal(ce.datacontenttype, 'application/json');
    assert.deepEqual(ce.data, complete!.payload);
    assert.equal(ce['sluicesource'], 'operator:jenny');
    assert.equal(ce['tenantid'], 'ten_01');
    assert.equal(ce['occurredat'], '2026-06-11T09:03:02Z');
    assert.equal(ce['receivedat'], '2026-06-11T09:03:02.123Z');
  });

  it('falls back to received_at for time, omits null fields and the subject of an entity-less payload', () => {
    const ce = envelopeToCloudEvent(sparse!);
    assert.equal(ce.time, sparse!.received_at);
    assert.equal('subject' in ce, false);
    for (const name of ['resellerid', 'workspaceid', 'causationid', 'occurredat', 'agentid', 'sessionid']) {
      assert.equal(name in ce, false, name);
    }
    assert.equal(Object.values(ce).includes(null), false);
  });

  it('uses attribute names the spec allows', () => {
    for (const name of Object.values(ENVELOPE_EXTENSIONS)) {
      assert.match(name, /^[a-z][a-z0-9]{0,19}$/);
    }
    for (const name of Object.keys(envelopeToCloudEvent(complete!))) {
      assert.ok(name === 'data' || /^[a-z0-9]+$/.test(name), name);
    }
  });

  it('percent-encodes tenant and connection ids in the source', () => {
    assert.equal(
      cloudEventSource({ tenant_id: 'ten zürich', connection_id: 'con/1' }),
      '/sluice/tenants/ten%20z%C3%BCrich/connections/con%2F1',
    );
  });
});

describe('cloudEventToEnvelope', () => {
  it('round-trips every fixture losslessly', () => {
    for (const envelope of FIXTURE_ENVELOPES) {
      assert.equal(Value.Check(EnvelopeSchema, envelope), true, envelope.event_id);
      assert.deepEqual(cloudEventToEnvelope(envelopeToCloudEvent(envelope)), envelope);
    }
  });

  it('keeps occurred_at null apart from occurred_at equal to received_at', () => {
    const same = { ...sparse!, occurred_at: sparse!.received_at };
    assert.equal(envelopeToCloudEvent(same).time, envelopeToCloudEvent(sparse!).time);
    assert.equal(cloudEventToEnvelope(envelopeToCloudEvent(same)).occurred_at, sparse!.received_at);
    assert.equal(cloudEventToEnvelope(envelopeToCloudEvent(sparse!)).occurred_at, null);
  });

  it('round-trips through the JSON event format and every HTTP mode', () => {
    for (const envelope of FIXTURE_ENVELOPES) {
      const ce = envelopeToCloudEvent(envelope);
      for (const message of [encodeStructured(ce), encodeBinary(ce), encodeBatch([ce])]) {
        const decoded = decodeHttp(message.headers, message.body);
        assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
        assert.equal(decoded.value.events.length, 1);
        assert.deepEqual(cloudEventToEnvelope(decoded.value.events[0]!), envelope);
      }
    }
  });

  it('treats null attributes as unset', () => {
    const ce = { ...envelopeToCloudEvent(sparse!), resellerid: null, subject: null } as unknown as CloudEvent;
    assert.deepEqual(cloudEventToEnvelope(ce), sparse);
  });

  it('names a missing extension', () => {
    const { tenantid: _, ...ce } = envelopeToCloudEvent(complete!);
    assert.throws(() => cloudEventToEnvelope(ce as CloudEvent), invalid('tenantid'));
  });

  it('names an extension whose value is not a valid envelope field', () => {
    const ce = { ...envelopeToCloudEvent(complete!), mode: 'loud' };
    assert.throws(() => cloudEventToEnvelope(ce), invalid('mode'));
    const id = { ...envelopeToCloudEvent(complete!), id: 'not-a-uuid' };
    assert.throws(() => cloudEventToEnvelope(id), invalid('id'));
  });

  it('rejects a missing or wrong specversion and non-object data', () => {
    const { specversion: _, ...missing } = envelopeToCloudEvent(complete!);
    assert.throws(() => cloudEventToEnvelope(missing as CloudEvent), invalid('specversion'));
    const wrong = { ...envelopeToCloudEvent(complete!), specversion: '0.3' } as unknown as CloudEvent;
    assert.throws(() => cloudEventToEnvelope(wrong), /unsupported specversion "0.3"/);
    assert.throws(
      () => cloudEventToEnvelope({ ...envelopeToCloudEvent(complete!), data: [1] }),
      invalid('data'),
    );
  });
});

describe('cloudEventToEmission', () => {
  const ce: CloudEvent = {
    specversion: '1.0',
    id: 'A234-1234-1234',
    source: '/mycontext',
    type: 'com.example.someevent',
    time: '2018-04-05T17:31:00Z',
    datacontenttype: 'application/json',
    data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
  };

  it('maps type, source+id, data and time', () => {
    assert.deepEqual(cloudEventToEmission(ce, { source: 'cn-cloudevents' }), {
      source: 'cn-cloudevents',
      event_type: 'com.example.someevent',
      dedupe_key: '/mycontext:A234-1234-1234',
      payload: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
      occurred_at: '2018-04-05T17:31:00Z',
      cloudevent: {
        specversion: '1.0',
        id: 'A234-1234-1234',
        source: '/mycontext',
        type: 'com.example.someevent',
        time: '2018-04-05T17:31:00Z',
        datacontenttype: 'application/json',
        extensions: {},
      },
    });
  });

  it('takes correlation id and stream from extensions, and null occurred_at without time', () => {
    const { time: _, ...untimed } = ce;
    const emission = cloudEventToEmission(
      { ...untimed, correlationid: 'corr-9', stream: 'orders' },
      { source: 'cn-cloudevents' },
    );
    assert.equal(emission.correlation_id, 'corr-9');
    assert.equal(emission.stream, 'orders');
    assert.equal(emission.occurred_at, null);
  });

  it('reads JSON data from data_base64', () => {
    const { data: _, ...rest } = ce;
    const encoded = { ...rest, data_base64: Buffer.from('{"xyz":123}').toString('base64') };
    assert.deepEqual(cloudEventToEmission(encoded, { source: 'cn-ce' }).payload, { xyz: 123 });
    const untyped = { ...encoded, datacontenttype: undefined } as unknown as CloudEvent;
    assert.throws(() => cloudEventToEmission(untyped, { source: 'cn-ce' }), invalid('data'));
  });

  it('rejects data that is not a JSON object', () => {
    for (const data of [1.5, "I'm just a string", null, [1, 2]]) {
      assert.throws(() => cloudEventToEmission({ ...ce, data }, { source: 'cn-ce' }), invalid('data'));
    }
    const { data: _, ...dataless } = ce;
    assert.throws(() => cloudEventToEmission(dataless, { source: 'cn-ce' }), /got no data/);
    const xml = { ...ce, datacontenttype: 'application/xml', data: '<much wow="xml"/>' };
    assert.throws(() => cloudEventToEmission(xml, { source: 'cn-ce' }), invalid('data'));
  });

  it('rejects an invalid CloudEvent and a source+id too long for a dedupe key', () => {
    const noType = { ...ce, type: '' };
    assert.throws(() => cloudEventToEmission(noType, { source: 'cn-ce' }), invalid('type'));
    const long = { ...ce, id: 'x'.repeat(600) };
    assert.throws(() => cloudEventToEmission(long, { source: 'cn-ce' }), invalid('id'));
  });
});
