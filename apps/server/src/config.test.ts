import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';

const SECRET_KEY = 'a'.repeat(64);

/** The ConfigError `loadConfig(env)` throws. */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  it('fills every default from an empty environment', () => {
    const config = loadConfig({});
    assert.deepEqual(config, {
      host: '127.0.0.1',
      port: 8787,
      dataDir: '.sluice',
      databaseUrl: null,
      adminKey: null,
      url: null,
      apiKey: null,
      profile: null,
      profilesFile: join(homedir(), '.config', 'sluice', 'config.json'),
      secretKey: null,
      bodyLimitBytes: 1024 * 1024,
      bodyDrainBytes: 4 * 1024 * 1024,
      maxPayloadBytes: 256 * 1024,
      dedupeWindowMs: 24 * 3600 * 1000,
      connectionRate: 1000,
      connectionBurst: 2000,
      sweepIntervalMs: 60_000,
      statisticsIntervalMs: 2_000,
      deadLetterRetentionMs: 30 * 24 * 3600 * 1000,
      deadLetterCheckMs: 5_000,
      replayRatePerSecond: 10,
      dev: true,
      logLevel: 'info',
      logPretty: false,
      publicUrl: null,
      redisUrl: null,
      workers: ['receiver', 'relay', 'router', 'executor', 'scheduler'],
      relayIdleMs: 200,
      relayLeaseMs: 30_000,
      allowPrivateTargets: false,
      databasePreparedStatements: true,
      jobLeaseMs: 30_000,
      schedulerLeaseMs: 10_000,
      executorConcurrency: 128,
      executorTargetConcurrency: null,
      breakerCoolDownMs: 30_000,
      tenantConcurrency: null,
      configFile: null,
      allowedActions: ['*'],
      jobResultTtlMs: 24 * 3600 * 1000,
    });
  });

  it('reads the default allowed action kinds as a list and names each one that is not a kind', () => {
    assert.deepEqual(loadConfig({ SLUICE_ALLOWED_ACTIONS: 'http, connector:github.*' }).allowedActions, [
      'http',
      'connector:github.*',
    ]);
    const thrown = configError({ SLUICE_ALLOWED_ACTIONS: 'http,email,handler:*,connector:' });
    assert.match(thrown.message, /SLUICE_ALLOWED_ACTIONS=.*"email", "connector:" are not action kinds/);
  });

  it('reads every variable it is given, converting integers and seconds', () => {
    const config = loadConfig({
      SLUICE_HOST: '0.0.0.0',
      SLUICE_PORT: '9000',
      SLUICE_DATA_DIR: '/var/lib/sluice',
      SLUICE_DATABASE_URL: 'postgresql://sluice@db:5432/sluice',
      SLUICE_ADMIN_KEY: 'an-admin-key-of-enough-length',
      SLUICE_SECRET_KEY: SECRET_KEY,
      SLUICE_BODY_LIMIT_BYTES: '2048',
      SLUICE_BODY_DRAIN_BYTES: '0',
      SLUICE_MAX_PAYLOAD_BYTES: '1024',
      SLUICE_DEDUPE_WINDOW_SECONDS: '60',
      SLUICE_CONNECTION_RATE: '5',
      SLUICE_CONNECTION_BURST: '10',
      SLUICE_LOG_LEVEL: 'debug',
      SLUICE_PUBLIC_URL: 'https://sluice.example.com',
      SLUICE_SWEEP_INTERVAL_SECONDS: '0',
      SLUICE_DEAD_LETTER_RETENTION_DAYS: '7',
      SLUICE_DEAD_LETTER_CHECK_SECONDS: '2',
      SLUICE_REPLAY_RATE: '50',
    });
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.port, 9000);
    assert.equal(config.dataDir, '/var/lib/sluice');
    assert.equal(config.databaseUrl, 'postgresql://sluice@db:5432/sluice');
    assert.equal(config.adminKey, 'an-admin-key-of-enough-length');
    assert.equal(config.secretKey, SECRET_KEY);
    assert.equal(config.bodyLimitBytes, 2048);
    assert.equal(config.bodyDrainBytes, 0);
    assert.equal(config.maxPayloadBytes, 1024);
    assert.equal(config.dedupeWindowMs, 60_000);
    assert.equal(config.connectionRate, 5);
    assert.equal(config.connectionBurst, 10);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.publicUrl, 'https://sluice.example.com');
    assert.equal(config.sweepIntervalMs, 0);
    assert.equal(config.deadLetterRetentionMs, 7 * 24 * 3600 * 1000);
    assert.equal(config.deadLetterCheckMs, 2_000);
    assert.equal(config.replayRatePerSecond, 50);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ SLUICE_PORT: '', SLUICE_ADMIN_KEY: '', SLUICE_DATABASE_URL: '' });
    assert.equal(config.port, 8787);
    assert.equal(config.adminKey, null);
    assert.equal(config.databaseUrl, null);
    assert.equal(config.dev, true);
  });

  it('names every bad variable in one ConfigError, showing its value unless it is a secret', () => {
    const bad = {
      SLUICE_PORT: 'eighty',
      SLUICE_BODY_LIMIT_BYTES: '0',
      SLUICE_DATABASE_URL: 'mysql://db/sluice',
      SLUICE_LOG_LEVEL: 'loud',
      SLUICE_DEV: 'yes',
      SLUICE_PUBLIC_URL: 'sluice.example.com',
    };
    const thrown = configError({ ...bad, SLUICE_ADMIN_KEY: 'short-admin-key' });
    assert.equal(thrown.name, 'ConfigError');
    for (const [name, value] of Object.entries(bad)) {
      assert.match(thrown.message, new RegExp(`${name}=`), `the message names ${name}`);
      assert.ok(thrown.message.includes(value), `the message shows the bad value of ${name}`);
    }
    assert.match(thrown.message, /SLUICE_ADMIN_KEY \(15 characters, not shown\): /);
    assert.ok(!thrown.message.includes('short-admin-key'), 'a secret is never printed');
    assert.doesNotMatch(thrown.message, /SLUICE_HOST|SLUICE_MAX_PAYLOAD_BYTES|SLUICE_CONNECTION_RATE/);
  });

  it('lists the allowed values of an enumeration', () => {
    const thrown = configError({ SLUICE_LOG_LEVEL: 'loud', SLUICE_DEV: 'yes' });
    assert.match(
      thrown.message,
      /SLUICE_LOG_LEVEL="loud": must be one of fatal, error, warn, info, debug, trace, silent/,
    );
    assert.match(thrown.message, /SLUICE_DEV="yes": must be one of 1, 0/);
  });

  it('reads the stage workers as a list, all by default, and refuses unknown or repeated ones', () => {
    assert.deepEqual(loadConfig({}).workers, ['receiver', 'relay', 'router', 'executor', 'scheduler']);
    assert.deepEqual(loadConfig({ SLUICE_WORKERS: 'receiver,scheduler' }).workers, ['receiver', 'scheduler']);
    assert.deepEqual(loadConfig({ SLUICE_WORKERS: 'executor' }).workers, ['executor']);
    assert.equal(loadConfig({ SLUICE_TENANT_CONCURRENCY: '4' }).tenantConcurrency, 4);
    assert.equal(loadConfig({ SLUICE_JOB_LEASE_SECONDS: '2' }).jobLeaseMs, 2000);
    const redis = 'redis://127.0.0.1:6379';
    assert.deepEqual(loadConfig({ SLUICE_WORKERS: ' relay ', SLUICE_REDIS_URL: redis }).workers, ['relay']);
    assert.match(
      configError({ SLUICE_WORKERS: 'relay,mailer' }).message,
      /SLUICE_WORKERS="relay,mailer": must be one of receiver, relay, router, executor, scheduler, mqtt/,
    );
    assert.match(
      configError({ SLUICE_WORKERS: 'relay,relay', SLUICE_REDIS_URL: redis }).message,
      /SLUICE_WORKERS=/,
    );
    assert.equal(
      loadConfig({ SLUICE_WORKERS: 'receiver' }).workers.length,
      1,
      'a receiver alone needs no bus',
    );
  });

  it('needs SLUICE_REDIS_URL when the relay and the router run in different processes', () => {
    assert.match(
      configError({ SLUICE_WORKERS: 'receiver,relay' }).message,
      /SLUICE_WORKERS="receiver,relay": a relay without a router in the same process .* needs SLUICE_REDIS_URL/,
    );
    assert.match(
      configError({ SLUICE_REDIS_URL: 'http://cache' }).message,
      /SLUICE_REDIS_URL \(12 characters, not shown\)/,
    );
    const config = loadConfig({ SLUICE_WORKERS: 'router', SLUICE_REDIS_URL: 'redis://:pw@127.0.0.1:6379' });
    assert.equal(config.redisUrl, 'redis://:pw@127.0.0.1:6379');
    assert.equal(loadConfig({}).relayIdleMs, 200, 'embedded: appends wake the relay, so it polls slowly');
    assert.equal(
      loadConfig({ SLUICE_DATABASE_URL: 'postgres://h/db', SLUICE_SECRET_KEY: SECRET_KEY }).relayIdleMs,
      20,
    );
    assert.equal(loadConfig({}).relayLeaseMs, 30_000);
  });

  it('requires SLUICE_SECRET_KEY with SLUICE_DATABASE_URL, at parse time', () => {
    const thrown = configError({ SLUICE_DATABASE_URL: 'postgres://127.0.0.1/sluice' });
    assert.match(thrown.message, /SLUICE_SECRET_KEY \(unset\): is required with SLUICE_DATABASE_URL/);
    assert.equal(
      loadConfig({ SLUICE_DATABASE_URL: 'postgres://127.0.0.1/sluice', SLUICE_SECRET_KEY: SECRET_KEY })
        .secretKey,
      SECRET_KEY,
    );
    // Embedded mode generates its own key.
    assert.equal(loadConfig({}).secretKey, null);
  });

  it('refuses a secret key that is not 32 bytes, without printing it', () => {
    const key = 'x'.repeat(40);
    const thrown = configError({ SLUICE_SECRET_KEY: key });
    assert.match(
      thrown.message,
      /SLUICE_SECRET_KEY \(40 characters, not shown\): .*must be 32 bytes; got 30/,
    );
    assert.ok(!thrown.message.includes(key));
    assert.equal(loadConfig({ SLUICE_SECRET_KEY: Buffer.alloc(32, 1).toString('base64') }).dev, true);
  });

  it('refuses a payload limit above the body limit', () => {
    const thrown = configError({ SLUICE_BODY_LIMIT_BYTES: '1000', SLUICE_MAX_PAYLOAD_BYTES: '1001' });
    assert.match(
      thrown.message,
      /SLUICE_MAX_PAYLOAD_BYTES=1001: must not exceed SLUICE_BODY_LIMIT_BYTES \(1000\)/,
    );
    assert.equal(
      loadConfig({ SLUICE_BODY_LIMIT_BYTES: '1000', SLUICE_MAX_PAYLOAD_BYTES: '1000' }).maxPayloadBytes,
      1000,
    );
  });

  it('reports a broken rule between variables together with the variables bad on their own', () => {
    const thrown = configError({ SLUICE_PORT: 'eighty', SLUICE_DATABASE_URL: 'postgres://127.0.0.1/sluice' });
    assert.match(thrown.message, /SLUICE_PORT="eighty"/);
    assert.match(thrown.message, /SLUICE_SECRET_KEY \(unset\): is required/);
    // A rule over a variable that is itself invalid stays quiet: the variable's own error says enough.
    const only = configError({ SLUICE_DATABASE_URL: 'mysql://db/sluice' });
    assert.doesNotMatch(only.message, /SLUICE_SECRET_KEY/);
  });

  it('declares each variable once, with a doc and its own Config property', () => {
    const fields = Object.values(CONFIG_VARIABLES).map((variable) => variable.field);
    assert.equal(new Set(fields).size, fields.length);
    assert.deepEqual(new Set(Object.keys(loadConfig({}))), new Set(fields));
    for (const [name, variable] of Object.entries(CONFIG_VARIABLES)) {
      assert.match(name, /^SLUICE_[A-Z_]+$/);
      assert.ok(variable.doc.length > 0, `${name} has a doc`);
    }
  });

  it('rejects a port out of range and a negative integer', () => {
    assert.throws(() => loadConfig({ SLUICE_PORT: '70000' }), /SLUICE_PORT=70000/);
    assert.throws(() => loadConfig({ SLUICE_CONNECTION_RATE: '-1' }), /SLUICE_CONNECTION_RATE="-1"/);
  });

  it('defaults SLUICE_DEV to on in embedded mode and off with a database URL', () => {
    assert.equal(loadConfig({}).dev, true);
    const server = { SLUICE_DATABASE_URL: 'postgres://127.0.0.1/sluice', SLUICE_SECRET_KEY: SECRET_KEY };
    assert.equal(loadConfig(server).dev, false);
    assert.equal(loadConfig({ ...server, SLUICE_DEV: '1' }).dev, true);
    assert.equal(loadConfig({ SLUICE_DEV: '0' }).dev, false);
  });
});
