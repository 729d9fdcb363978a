import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_URL, resolveTarget } from './cli-context.ts';
import { loadClientConfig } from './config.ts';
import { parseFilter } from './dlq-commands.ts';

const FILE = {
  default_profile: 'local',
  profiles: {
    local: { url: 'http://local:1', api_key: 'slk_local_key' },
    prod: { url: 'https://prod', api_key: 'slk_prod_key' },
  },
};
const NO_ENV = { url: null, apiKey: null, profile: null, profilesFile: '/p.json' };

describe('which server and key a command uses', () => {
  it('takes flags, then --profile, then the environment, then the default profile', () => {
    const env = { ...NO_ENV, url: 'http://env:2', apiKey: 'slk_env_key' };
    assert.deepEqual(resolveTarget({ url: 'http://flag:3', apiKey: 'slk_flag_key' }, env, FILE), {
      url: 'http://flag:3',
      apiKey: 'slk_flag_key',
    });
    assert.deepEqual(resolveTarget({ profile: 'prod' }, env, FILE), {
      url: 'https://prod',
      apiKey: 'slk_prod_key',
    });
    assert.deepEqual(resolveTarget({}, env, FILE), { url: 'http://env:2', apiKey: 'slk_env_key' });
    assert.deepEqual(resolveTarget({}, NO_ENV, FILE), { url: 'http://local:1', apiKey: 'slk_local_key' });
    assert.deepEqual(resolveTarget({}, { ...NO_ENV, profile: 'prod' }, FILE), {
      url: 'https://prod',
      apiKey: 'slk_prod_key',
    });
  });

  it('defaults the URL, and fails without a key or for an unknown profile, saying what to do', () => {
    assert.deepEqual(resolveTarget({ apiKey: 'slk_flag_key' }, NO_ENV, { profiles: {} }), {
      url: DEFAULT_URL,
      apiKey: 'slk_flag_key',
    });
    assert.throws(
      () => resolveTarget({}, NO_ENV, { profiles: {} }),
      /No API key: give --api-key, set SLUICE_API_KEY/,
    );
    assert.deepEqual(resolveTarget({}, NO_ENV, { profiles: {} }, true), { url: DEFAULT_URL, apiKey: '' });
    assert.throws(
      () => resolveTarget({ profile: 'qa' }, NO_ENV, FILE),
      /No profile "qa" in \/p\.json; it has local, prod/,
    );
  });

  it('reads its variables on their own, naming a bad one without showing a key', () => {
    assert.deepEqual(loadClientConfig({ XDG_CONFIG_HOME: '/xdg', SLUICE_URL: 'http://x' }), {
      url: 'http://x',
      apiKey: null,
      profile: null,
      profilesFile: '/xdg/sluice/config.json',
    });
    assert.throws(
      () => loadClientConfig({ SLUICE_API_KEY: 'short' }),
      (error: Error) =>
        /SLUICE_API_KEY \(5 characters, not shown\)/.test(error.message) && !/short/.test(error.message),
    );
  });
});

describe('a dead-letter filter on the command line', () => {
  it('reads repeated and comma-separated key=value pairs, trigger meaning trigger_id', () => {
    assert.deepEqual(parseFilter(['kind=job,trigger=trg_1', 'since=2026-01-01T00:00:00Z']), {
      kind: 'job',
      trigger_id: 'trg_1',
      since: '2026-01-01T00:00:00Z',
    });
    assert.throws(
      () => parseFilter(['colour=red']),
      /use key=value with a key of kind, connector, since, until, trigger_id/,
    );
    assert.throws(() => parseFilter(['kind']), /--filter "kind"/);
  });
});
