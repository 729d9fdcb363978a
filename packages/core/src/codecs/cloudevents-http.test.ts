import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../errors.ts';
import type { CloudEvent } from './cloudevent.ts';
import { type DecodedCloudEvents, decodeHttp, encodeBinary, type HttpHeaders } from './cloudevents-http.ts';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function decoded(headers: HttpHeaders, body: Buffer): DecodedCloudEvents {
  const result = decodeHttp(headers, body);
  assert.ok(result.ok, result.ok ? '' : result.error.message);
  return result.value;
}

function rejected(headers: HttpHeaders, body: Buffer, code: ErrorCode = 'invalid_cloudevent'): string {
  const result = decodeHttp(headers, body);
  assert.equal(result.ok, false);
  if (result.ok) return '';
  assert.equal(result.error.code, code);
  return result.error.message;
}

describe('decodeHttp: the binding spec examples', () => {
  it('decodes the binary-mode example (§3.1.4)', () => {
    const headers = {
      Host: 'webhook.example.com',
      'ce-specversion': '1.0',
      'ce-type': 'com.example.someevent',
      'ce-time': '2018-04-05T03:56:24Z',
      'ce-id': '1234-1234-1234',
      'ce-source': '/mycontext/subcontext',
      'Content-Type': 'application/json; charset=utf-8',
    };
    const result = decoded(headers, Buffer.from('{\n    "appinfoA" : "abc"\n}'));
    assert.equal(result.mode, 'binary');
    assert.deepEqual(result.events, [
      {
        specversion: '1.0',
        type: 'com.example.someevent',
        time: '2018-04-05T03:56:24Z',
        id: '1234-1234-1234',
        source: '/mycontext/subcontext',
        datacontenttype: 'application/json; charset=utf-8',
        data: { appinfoA: 'abc' },
      },
    ]);
  });

  it('decodes the structured-mode example (§3.2.4)', () => {
    const event = {
      specversion: '1.0',
      type: 'com.example.someevent',
      id: 'C234-1234-1234',
      source: '/mycontext',
      data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
    };
    const result = decoded({ 'content-type': 'application/cloudevents+json; charset=utf-8' }, json(event));
    assert.equal(result.mode, 'structured');
    assert.deepEqual(result.events, [event]);
  });

  it('decodes the JSON batch example, binary data included (json-format §4.3)', () => {
    const batch = [
      {
        specversion: '1.0',
        type: 'com.example.someevent',
        source: '/mycontext/4',
        id: 'B234-1234-1234',
        time: '2018-04-05T17:31:00Z',
        comexampleextension1: 'value',
        comexampleothervalue: 5,
        datacontenttype: 'application/vnd.apache.thrift.binary',
        data_base64: 'AAECAw==',
      },
      {
        specversion: '1.0',
        type: 'com.example.someotherevent',
        source: '/mycontext/9',
        id: 'C234-1234-1234',
        time: '2018-04-05T17:31:05Z',
        comexampleextension1: 'value',
        comexampleothervalue: 5,
        datacontenttype: 'application/json',
        data: { appinfoA: 'abc', appinfoB: 123, appinfoC: true },
      },
    ];
    const result = decoded(
      { 'content-type': 'application/cloudevents-batch+json; charset=UTF-8' },
      json(batch),
    );
    assert.equal(result.mode, 'batch');
    assert.deepEqual(result.events, batch);
    assert.deepEqual(decoded({ 'content-type': 'application/cloudevents-batch+json' }, json([])).events, []);
  });

  it('drops null attributes and keeps an explicit null data (json-format §3.2)', () => {
    const event = {
      specversion: '1.0',
      type: 't.x',
      source: '/s',
      id: '1',
      subject: null,
      unsetextension: null,
    };
    const result = decoded(
      { 'content-type': 'application/cloudevents+json' },
      json({ ...event, data: null }),
    );
    assert.deepEqual(result.events, [{ specversion: '1.0', type: 't.x', source: '/s', id: '1', data: null }]);
  });
});

describe('decodeHttp: binary mode', () => {
  const base = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't.x' };

  it('percent-decodes and unquotes header values', () => {
    const headers = { ...base, 'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80', 'ce-note': '"hello world"' };
    const [event] = decoded(headers, Buffer.alloc(0)).events;
    assert.equal(event?.subject, 'Euro € 😀');
    assert.equal(event?.['note'], 'hello world');
    assert.equal('data' in (event ?? {}), false);
  });

  it('keeps non-JSON bodies as text or base64, and opaque bodies without a content type as base64', () => {
    const xml = decoded({ ...base, 'content-type': 'text/xml' }, Buffer.from('<much wow="xml"/>')).events[0];
    assert.equal(xml?.data, '<much wow="xml"/>');
    const bytes = Buffer.from([0, 1, 2, 255]);
    const thrift = decoded({ ...base, 'content-type': 'application/vnd.apache.thrift.binary' }, bytes)
      .events[0];
    assert.equal(thrift?.data_base64, bytes.toString('base64'));
    const untyped = decoded(base, Buffer.from('{ "xyz": 123 }')).events[0];
    assert.equal(untyped?.data_base64, Buffer.from('{ "xyz": 123 }').toString('base64'));
    assert.equal(untyped?.datacontenttype, undefined);
  });

  it('reads header arrays and mixed-case names', () => {
    const headers = { 'CE-SpecVersion': '1.0', 'Ce-Id': ['1'], 'ce-source': '/s', 'ce-type': 't.x' };
    assert.equal(decoded(headers, Buffer.alloc(0)).events[0]?.id, '1');
  });
});

describe('decodeHttp: bad input is a result, never a throw', () => {
  const base = { 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/s', 'ce-type': 't.x' };
  const structured = { 'content-type': 'application/cloudevents+json' };
  const event = { specversion: '1.0', id: '1', source: '/s', type: 't.x' };

  it('rejects a plain JSON body without ce- headers', () => {
    assert.match(rejected({ 'content-type': 'application/json' }, json(event)), /no ce-specversion header/);
  });

  it('rejects a missing or wrong specversion', () => {
    const { specversion: _, ...noVersion } = event;
    assert.match(rejected(structured, json(noVersion)), /missing required attribute 'specversion'/);
    assert.match(
      rejected(structured, json({ ...event, specversion: '0.3' })),
      /unsupported specversion "0.3"/,
    );
    assert.match(rejected({ ...base, 'ce-specversion': '2.0' }, Buffer.alloc(0)), /unsupported specversion/);
  });

  it('rejects missing or empty id, source and type', () => {
    assert.match(rejected(structured, json({ ...event, id: '' })), /'id' must be a non-empty string/);
    const { source: _, ...noSource } = event;
    assert.match(rejected(structured, json(noSource)), /missing required attribute 'source'/);
    assert.match(rejected(structured, json({ ...event, type: 42 })), /'type' must be a non-empty string/);
  });

  it('rejects malformed attributes', () => {
    assert.match(rejected(structured, json({ ...event, time: 'yesterday' })), /'time' must be an RFC 3339/);
    assert.match(rejected(structured, json({ ...event, MyExt: 'x' })), /lowercase a-z and 0-9/);
    assert.match(rejected(structured, json({ ...event, ext: { a: 1 } })), /'ext' must be a string/);
    assert.match(
      rejected(structured, json({ ...event, data: {}, data_base64: 'AA==' })),
      /mutually exclusive/,
    );
    assert.match(rejected(structured, json({ ...event, data_base64: '***' })), /Base64/);
    assert.match(rejected({ ...base, 'ce-subject': '%C0%A0' }, Buffer.alloc(0)), /ce-subject is not a valid/);
  });

  it('names the failing element of a batch', () => {
    const result = decodeHttp({ 'content-type': 'application/cloudevents-batch+json' }, json([event, {}]));
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(result.error.details, { attribute: 'specversion', index: 1 });
    assert.match(
      rejected({ 'content-type': 'application/cloudevents-batch+json' }, json(event)),
      /JSON array/,
    );
  });

  it('rejects unparsable JSON and event formats other than JSON', () => {
    rejected(structured, Buffer.from('{"specversion": "1.0",'), 'invalid_json');
    rejected({ ...base, 'content-type': 'application/json' }, Buffer.from('{oops'), 'invalid_json');
    rejected({ 'content-type': 'application/cloudevents+avro' }, Buffer.from([1]), 'unsupported_media_type');
    rejected(structured, json([event]));
  });
});

describe('encodeBinary', () => {
  const event: CloudEvent = {
    specversion: '1.0',
    id: 'A234-1234-1234',
    source: '/mycontext',
    type: 'com.example.someevent',
    subject: 'Euro € 😀',
    comexampleothervalue: 5,
    comexampleflag: true,
    datacontenttype: 'application/json',
    data: { appinfoA: 'abc' },
  };

  it('maps attributes to percent-encoded ce- headers and data to the body', () => {
    const { headers, body } = encodeBinary(event);
    assert.deepEqual(headers, {
      'ce-specversion': '1.0',
      'ce-id': 'A234-1234-1234',
      'ce-source': '/mycontext',
      'ce-type': 'com.example.someevent',
      'ce-subject': 'Euro%20%E2%82%AC%20%F0%9F%98%80',
      'ce-comexampleothervalue': '5',
      'ce-comexampleflag': 'true',
      'content-type': 'application/json',
    });
    assert.deepEqual(JSON.parse(body.toString('utf8')), { appinfoA: 'abc' });
  });

  it('writes base64 data as raw bytes, strings for text types, and the implied JSON content type', () => {
    const { data: _, datacontenttype: __, ...bare } = event;
    const binary = encodeBinary({ ...bare, data_base64: 'AAECAw==' });
    assert.deepEqual([...binary.body], [0, 1, 2, 3]);
    assert.equal(binary.headers['content-type'], undefined);
    assert.equal(encodeBinary({ ...bare, datacontenttype: 'text/plain', data: 'hi' }).body.toString(), 'hi');
    assert.equal(encodeBinary({ ...bare, data: 1.5 }).headers['content-type'], 'application/json');
    assert.throws(
      () => encodeBinary({ ...bare, datacontenttype: 'text/plain', data: { a: 1 } }),
      /must be a string/,
    );
  });
});
