import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { Metrics } from '../services/metrics.ts';
import { installErrorHandlers } from './error-handler.ts';
import { installResponseCheck } from './response-check.ts';

const Thing = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ format: 'date-time' }),
    note: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Thing' },
);

async function appAnswering(body: unknown) {
  const app = Fastify();
  app.addSchema(Thing);
  installErrorHandlers(app, new Metrics({ defaultMetrics: false }));
  installResponseCheck(app, [Thing]);
  app.get(
    '/things/:id',
    { schema: { response: { 200: Type.Object({ thing: Type.Ref('Thing') }) } } },
    async () => body,
  );
  await app.ready();
  return app;
}

describe('installResponseCheck', () => {
  it('lets an answer through that its schema describes, unchanged', async () => {
    const body = { thing: { id: 't1', at: '2026-01-02T03:04:05.678Z', note: null } };
    const app = await appAnswering(body);
    const response = await app.inject({ url: '/things/t1' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), body);
    await app.close();
  });

  it('fails an answer its schema does not describe, naming the route and the field', async () => {
    for (const thing of [
      { id: 't1', at: '2026-01-02T03:04:05.678Z' },
      { id: 't1', at: 'yesterday', note: null },
      { id: 1, at: '2026-01-02T03:04:05.678Z', note: null },
    ]) {
      const app = await appAnswering({ thing });
      const response = await app.inject({ url: '/things/t1' });
      assert.equal(response.statusCode, 500);
      assert.equal(response.json().error.code, 'internal');
      assert.match(response.json().error.message, /GET \/things\/:id answered 200 .*\/thing\//);
      await app.close();
    }
  });
});
