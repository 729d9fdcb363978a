import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { StoreOpenError } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { loadConfig } from './config.ts';
import { startServer } from './server.ts';

const quiet = { write: () => true } as unknown as NodeJS.WritableStream;

const serverConfig = (databaseUrl: string) =>
  loadConfig({
    SLUICE_PORT: '0',
    SLUICE_DATABASE_URL: databaseUrl,
    SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
    SLUICE_LOG_LEVEL: 'silent',
    SLUICE_SWEEP_INTERVAL_SECONDS: '0',
  });

describe('starting in server mode against a PostgreSQL that is not ready', () => {
  it('says how to create a database that does not exist', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/sluice_missing_${randomBytes(4).toString('hex')}`;
    await assert.rejects(startServer(serverConfig(url.toString()), { out: quiet }), (error: unknown) => {
      assert.ok(error instanceof StoreOpenError, String(error));
      assert.match(error.message, /has no database "sluice_missing_[0-9a-f]+"/);
      assert.match(error.message, /createdb -h \S+ -p \d+ -U \S+ sluice_missing_/);
      return true;
    });
  });

  it('says that the server cannot be reached, and how to run without one', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.port = '1'; // nothing listens on port 1 of the loopback
    await assert.rejects(startServer(serverConfig(url.toString()), { out: quiet }), (error: unknown) => {
      assert.ok(error instanceof StoreOpenError, String(error));
      assert.match(error.message, /Cannot reach PostgreSQL at \S+:1 \(ECONNREFUSED\)/);
      assert.match(error.message, /Without SLUICE_DATABASE_URL Sluice runs embedded/);
      return true;
    });
  });
});
