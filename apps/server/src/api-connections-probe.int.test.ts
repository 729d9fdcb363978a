import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useConnectionsApi } from './testing/connections-api.ts';

describe('connections API', () => {
  const api = useConnectionsApi();
  const { act, create, platformEvents } = api;

  describe('test', () => {
    it('runs a passing probe with the connection config and publishes nothing', async () => {
      const { connection } = (
        await create({ connector_id: 'probe-ok', config: { host: 'api.example' } })
      ).json();
      const response = await act(connection.id, 'test');
      assert.equal(response.statusCode, 200, response.body);
      assert.deepEqual(response.json(), {
        connection_id: connection.id,
        ok: true,
        message: 'reached api.example',
      });
      assert.deepEqual(await platformEvents('integration.failed', connection.id), []);
    });

    it('reports a connector without a probe as ok', async () => {
      const { connection } = (await create({ connector_id: 'github' })).json();
      const response = await act(connection.id, 'test');
      assert.equal(response.json().ok, true);
    });

    it('publishes integration.failed when the probe fails or throws', async () => {
      for (const [connectorId, message] of [
        ['probe-fails', 'credentials rejected by upstream'],
        ['probe-throws', 'ECONNREFUSED upstream.example:443'],
      ] as const) {
        const { connection } = (await create({ connector_id: connectorId })).json();
        api.clock += 1000;
        const response = await act(connection.id, 'test');
        assert.equal(response.statusCode, 200, response.body);
        assert.deepEqual(response.json(), { connection_id: connection.id, ok: false, message });
        const failed = await platformEvents('integration.failed', connection.id);
        assert.equal(failed.length, 1);
        assert.deepEqual(failed[0]?.payload, {
          entity: { kind: 'connection', id: connection.id },
          operation: 'health_probe',
          message,
        });
        api.clock += 1000;
        await act(connection.id, 'test');
        assert.equal(
          (await platformEvents('integration.failed', connection.id)).length,
          2,
          'each failure is a fact',
        );
      }
    });
  });
});
