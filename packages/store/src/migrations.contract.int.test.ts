import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIGRATIONS } from './migrations.ts';
import { migrate } from './migrator.ts';
import { STORE_ADAPTERS } from './testing/index.ts';

for (const adapter of STORE_ADAPTERS) {
  describe(`store migrations contract: ${adapter.name}`, () => {
    it('migrates an empty database, then does nothing on the second run', async () => {
      const fresh = await adapter.open();
      try {
        const first = await migrate(fresh.client);
        assert.deepEqual(
          first.applied,
          MIGRATIONS.map((m) => m.id),
        );
        const second = await migrate(fresh.client);
        assert.deepEqual(second.applied, []);
        const rows = await fresh.client.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM schema_migrations',
        );
        assert.equal(rows[0]?.n, MIGRATIONS.length);
      } finally {
        await fresh.drop();
      }
    });

    it('runs concurrent migrations on one database without error', async () => {
      const fresh = await adapter.open();
      try {
        const results = await Promise.all([
          migrate(fresh.client),
          migrate(fresh.client),
          migrate(fresh.client),
        ]);
        assert.equal(results.flatMap((r) => r.applied).length, MIGRATIONS.length);
      } finally {
        await fresh.drop();
      }
    });
  });
}
