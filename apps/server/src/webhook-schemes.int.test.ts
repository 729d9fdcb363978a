import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertErrorBody } from './testing/assert-error.ts';
import { startTestApp, type TestApp } from './testing/index.ts';
import { type Json, record } from './testing/json.ts';
import { CASES, LOAD_BEARING } from './testing/webhook-scheme-cases.ts';
import { SCHEME_CONNECTORS } from './testing/webhook-scheme-connectors.ts';

/**
 * Every verification scheme over real loopback HTTP: a provider-signed delivery is accepted once, the
 * provider's retry is a duplicate of the same envelope, the very same signed request again is a replay, and
 * a one-bit change, a stale timestamp or a missing signature is refused with nothing stored.
 */

interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Json;
}

interface ElementResult {
  readonly index: number;
  readonly status: 'accepted' | 'duplicate';
  readonly event_id: string;
}

function flipBodyBit(body: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(Buffer.from(body, 'utf8'));
  const index = Math.floor(bytes.length / 2);
  bytes[index] = (bytes[index] ?? 0) ^ 1;
  return bytes;
}

function assertError(response: HttpResult, status: number, code: string): void {
  assertErrorBody(response.status, response.body, status, code);
}

for (const adapter of ['pglite', 'postgres'] as const) {
  describe(`webhook verification schemes over loopback HTTP (${adapter})`, () => {
    let t: TestApp;
    let base: string;
    let clockMs = Date.now();

    before(async () => {
      t = await startTestApp({ adapter, connectors: SCHEME_CONNECTORS, now: () => new Date(clockMs) });
      await t.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(() => t.close());

    async function request(
      method: 'GET' | 'POST',
      path: string,
      headers: Record<string, string>,
      body?: string | Uint8Array<ArrayBuffer>,
    ): Promise<HttpResult> {
      const response = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      return {
        status: response.status,
        headers: response.headers,
        body: record(await response.json(), 'body'),
      };
    }

    for (const makeCase of CASES) {
      const c = makeCase();
      if (adapter === 'postgres' && !LOAD_BEARING.has(c.scheme)) continue;

      describe(`${c.scheme} (${c.connectorId})`, () => {
        let auth: { authorization: string };
        let tenantId: string;
        let connectionId: string;
        let path: string;
        let firstEventId: string;
        let firstHeaders: Record<string, string>;

        before(async () => {
          const made = await t.tenant(`${c.scheme} tenant`);
          auth = made.auth;
          tenantId = made.tenant.id;
          const created = await request(
            'POST',
            '/api/v1/connections',
            { ...auth, 'content-type': 'application/json' },
            JSON.stringify({ connector_id: c.connectorId, secret: c.secret }),
          );
          assert.equal(created.status, 201, JSON.stringify(created.body));
          assert.equal(created.body['secret'], undefined, 'a supplied secret is never echoed');
          connectionId = String(record(created.body['connection'], 'connection')['id']);
          path =
            c.route === 'webhooks'
              ? `/api/v1/webhooks/${c.connectorId}/${tenantId}`
              : `/api/v1/ingest/${connectionId}`;
        });

        const stored = async () => {
          const page = await request('GET', `/api/v1/events?connection_id=${connectionId}`, auth);
          assert.equal(page.status, 200);
          return page.body['items'] as ReadonlyArray<Json>;
        };
        const everything = async () => {
          const events = await request('GET', '/api/v1/events?limit=500', auth);
          const deadLetters = await request('GET', '/api/v1/dead-letters', auth);
          return {
            events: (events.body['items'] as ReadonlyArray<Json>).length,
            deadLetters: (deadLetters.body['items'] as ReadonlyArray<Json>).length,
          };
        };

        it('accepts the signed delivery once, into the connection’s tenant', async () => {
          firstHeaders = await c.sign(c.body, clockMs);
          const first = await request('POST', path, firstHeaders, c.body);
          assert.equal(first.status, 200, JSON.stringify(first.body));
          assert.equal(first.body['accepted'], 1);
          assert.equal(first.body['duplicates'], 0);
          assert.equal(first.body['connection_id'], connectionId);
          const [result] = first.body['results'] as ReadonlyArray<ElementResult>;
          assert.equal(result?.status, 'accepted');
          firstEventId = result.event_id;

          const [envelope, ...rest] = await stored();
          assert.equal(rest.length, 0);
          assert.equal(envelope?.['event_id'], firstEventId);
          assert.equal(envelope['tenant_id'], tenantId);
          assert.equal(envelope['connection_id'], connectionId);
          assert.equal(envelope['event_type'], c.eventType);
          assert.equal(envelope['dedupe_key'], c.dedupeKey);
          assert.equal(envelope['source'], c.connectorId);
        });

        it('acknowledges the provider’s retry as a duplicate of the same event', async () => {
          clockMs += 30_000;
          const retryHeaders = await c.retry(c.body, clockMs);
          if (c.timestamped) assert.notDeepEqual(retryHeaders, firstHeaders);
          else assert.deepEqual(retryHeaders, firstHeaders, 'resent byte for byte');
          const retry = await request('POST', path, retryHeaders, c.body);
          assert.equal(retry.status, 200, JSON.stringify(retry.body));
          assert.equal(retry.body['accepted'], 0);
          assert.equal(retry.body['duplicates'], 1);
          const [result] = retry.body['results'] as ReadonlyArray<ElementResult>;
          assert.deepEqual(result, { index: 0, status: 'duplicate', event_id: firstEventId });
          assert.equal((await stored()).length, 1);
        });

        if (c.timestamped) {
          it('refuses the very same signed request sent again as a replay', async () => {
            const again = await request('POST', path, firstHeaders, c.body);
            assertError(again, 401, 'webhook_replayed');
            assert.equal((await stored()).length, 1);
          });
        } else {
          it('treats a further byte-identical resend as one more duplicate (no timestamp is signed)', async () => {
            const again = await request('POST', path, firstHeaders, c.body);
            assert.equal(again.status, 200, JSON.stringify(again.body));
            assert.equal(again.body['duplicates'], 1);
          });
        }

        it('refuses a one-bit change of body or signature, a stale timestamp and a missing signature, storing nothing', async () => {
          const before = await everything();
          const signed = await c.sign(c.body, clockMs);

          assertError(await request('POST', path, signed, flipBodyBit(c.body)), 401, 'signature_invalid');
          const header = signed[c.signatureHeader];
          assert.ok(header !== undefined);
          const forged = { ...signed, [c.signatureHeader]: c.flipSignature(header) };
          assertError(await request('POST', path, forged, c.body), 401, 'signature_invalid');

          const { [c.signatureHeader]: _removed, ...unsigned } = signed;
          assertError(await request('POST', path, unsigned, c.body), 401, 'signature_missing');

          if (c.timestamped) {
            const stale = await c.sign(c.body, clockMs - 3_600_000);
            assertError(await request('POST', path, stale, c.body), 401, 'timestamp_stale');
            const future = await c.sign(c.body, clockMs + 3_600_000);
            assertError(await request('POST', path, future, c.body), 401, 'timestamp_stale');
          }

          assert.deepEqual(await everything(), before);
          assert.equal((await stored()).length, 1);
        });
      });
    }
  });
}
