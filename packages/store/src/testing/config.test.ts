import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TEST_DATABASE_URL, loadTestStoreConfig } from './config.ts';

describe('loadTestStoreConfig', () => {
  it('runs on every store adapter against the loopback PostgreSQL by default, skipping an absent one', () => {
    assert.deepEqual(loadTestStoreConfig({}), {
      databaseUrl: DEFAULT_TEST_DATABASE_URL,
      stores: ['pglite', 'postgres'],
      requirePostgres: false,
    });
    assert.deepEqual(
      loadTestStoreConfig({ SLUICE_TEST_STORES: '', SLUICE_TEST_DATABASE_URL: '' }),
      loadTestStoreConfig({}),
    );
  });

  it('picks the adapters SLUICE_TEST_STORES names, in the suites’ order', () => {
    assert.deepEqual(loadTestStoreConfig({ SLUICE_TEST_STORES: 'postgres' }).stores, ['postgres']);
    assert.deepEqual(loadTestStoreConfig({ SLUICE_TEST_STORES: ' pglite ' }).stores, ['pglite']);
    assert.deepEqual(loadTestStoreConfig({ SLUICE_TEST_STORES: 'postgres,pglite' }).stores, [
      'pglite',
      'postgres',
    ]);
  });

  it('refuses an unknown adapter name, listing the allowed ones', () => {
    assert.throws(
      () => loadTestStoreConfig({ SLUICE_TEST_STORES: 'pglite,mysql,sqlite' }),
      /SLUICE_TEST_STORES="pglite,mysql,sqlite": unknown store "mysql", "sqlite"; use a comma-separated list of pglite, postgres/,
    );
  });

  it('requires PostgreSQL only with SLUICE_TEST_REQUIRE_POSTGRES=1', () => {
    assert.equal(loadTestStoreConfig({ SLUICE_TEST_REQUIRE_POSTGRES: '1' }).requirePostgres, true);
    assert.equal(loadTestStoreConfig({ SLUICE_TEST_REQUIRE_POSTGRES: '0' }).requirePostgres, false);
    assert.throws(
      () => loadTestStoreConfig({ SLUICE_TEST_REQUIRE_POSTGRES: 'yes' }),
      /SLUICE_TEST_REQUIRE_POSTGRES="yes": must be one of 1, 0/,
    );
  });

  it('names every bad variable at once', () => {
    assert.throws(
      () =>
        loadTestStoreConfig({
          SLUICE_TEST_STORES: 'mysql',
          SLUICE_TEST_REQUIRE_POSTGRES: 'true',
          SLUICE_TEST_DATABASE_URL: 'mysql://db/test',
        }),
      (error: Error) => {
        for (const name of [
          'SLUICE_TEST_STORES',
          'SLUICE_TEST_REQUIRE_POSTGRES',
          'SLUICE_TEST_DATABASE_URL',
        ]) {
          assert.match(error.message, new RegExp(`${name}=`));
        }
        return true;
      },
    );
  });

  it('reads the database URL from SLUICE_TEST_DATABASE_URL', () => {
    const url = 'postgresql://ci@db.internal:6543/sluice_ci';
    assert.equal(loadTestStoreConfig({ SLUICE_TEST_DATABASE_URL: url }).databaseUrl, url);
  });
});
