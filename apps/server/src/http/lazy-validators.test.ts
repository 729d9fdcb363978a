import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import type { Ajv } from 'ajv';
import Fastify from 'fastify';
import { Metrics } from '../services/metrics.ts';
import { installErrorHandlers } from './error-handler.ts';
import { lazyValidators } from './lazy-validators.ts';

const Shared = Type.Object({ kind: Type.Union([Type.Literal('a'), Type.Literal('b')]) }, { $id: 'Shared' });

/** An app whose two routes validate through `lazyValidators`, counting the schemas ajv compiles. */
async function countingApp() {
  const compiled: unknown[] = [];
  const app = Fastify({
    ajv: {
      customOptions: { coerceTypes: 'array' },
      // A plugin sees the compiler's ajv instance as it is made: count what it compiles.
      plugins: [
        (ajv: Ajv) => {
          const compile = ajv.compile.bind(ajv);
          ajv.compile = ((schema: object, meta?: boolean) => {
            compiled.push(schema);
            return compile(schema, meta);
          }) as typeof ajv.compile;
          return ajv;
        },
      ],
    },
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
  });
  installErrorHandlers(app, new Metrics({ defaultMetrics: false }));
  app.addSchema(Shared);
  app.post(
    '/one',
    { schema: { body: Type.Object({ n: Type.Integer({ minimum: 1 }), shared: Type.Ref('Shared') }) } },
    async (request) => ({ got: request.body }),
  );
  app.get('/two', { schema: { querystring: Type.Object({ limit: Type.Integer() }) } }, async (request) => ({
    got: request.query,
  }));
  await app.ready();
  return { app, compiled };
}

describe('lazyValidators', () => {
  it('compiles nothing at start, then validates, coerces and refuses as ajv does', async () => {
    const { app, compiled } = await countingApp();
    try {
      assert.equal(compiled.length, 0, 'nothing is compiled at start');
      const ok = await app.inject({ method: 'POST', url: '/one', payload: { n: 2, shared: { kind: 'a' } } });
      assert.equal(ok.statusCode, 200);
      assert.deepEqual(ok.json(), { got: { n: 2, shared: { kind: 'a' } } });
      const coerced = await app.inject({ url: '/two?limit=7' });
      assert.deepEqual(coerced.json(), { got: { limit: 7 } });
      // Refusals carry ajv's errors through the app's error contract.
      const refused = await app.inject({
        method: 'POST',
        url: '/one',
        payload: { n: 0, shared: { kind: 'c' } },
      });
      assert.equal(refused.statusCode, 400);
      assert.match(refused.json().error.message, /must be >= 1/);
      const wrongRef = await app.inject({
        method: 'POST',
        url: '/one',
        payload: { n: 1, shared: { kind: 'c' } },
      });
      assert.equal(wrongRef.statusCode, 400);
      assert.match(wrongRef.json().error.message, /shared\/kind/);
      const okAgain = await app.inject({
        method: 'POST',
        url: '/one',
        payload: { n: 1, shared: { kind: 'b' } },
      });
      assert.equal(okAgain.statusCode, 200, 'an earlier refusal leaves nothing behind');
      assert.equal(compiled.length, 2, 'each route part once, at its first request');
    } finally {
      await app.close();
    }
  });
});
