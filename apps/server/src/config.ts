import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SecretBox } from '@sluice/control';
import { isKindPattern } from '@sluice/execute';
import { CLIENT_VARIABLES } from './cli/config.ts';
import {
  type Env,
  flag,
  given,
  integer,
  listOf,
  oneOf,
  optionalInteger,
  optionalText,
  text,
  textList,
  type Variable,
} from './config-variable.ts';

export type { Env } from './config-variable.ts';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The stage workers a process can run: the HTTP receiver, the relay (outbox → bus), the router (bus →
 * jobs), the executor (jobs → actions), the scheduler (poll streams and cron schedules, shared through
 * leases in the store), and the MQTT gateway (broker sessions → ingest).
 */
export const WORKERS = ['receiver', 'relay', 'router', 'executor', 'scheduler', 'mqtt'] as const;

/** The workers a process runs when SLUICE_WORKERS is unset: the MQTT gateway is asked for by name. */
export const DEFAULT_WORKERS = ['receiver', 'relay', 'router', 'executor', 'scheduler'] as const;

export type Worker = (typeof WORKERS)[number];

/**
 * Every environment variable Sluice reads, one declaration each. The schema, the defaults, the coercion
 * and the `Config` type all derive from this table; the README's Configuration section documents it.
 */
export const CONFIG_VARIABLES = {
  SLUICE_HOST: text('host', 'Interface to listen on.', { default: '127.0.0.1' }),
  SLUICE_PORT: integer('port', 'HTTP port; 0 picks a free one.', {
    default: 8787,
    minimum: 0,
    maximum: 65535,
  }),
  SLUICE_DATA_DIR: text('dataDir', 'Embedded mode keeps its PGlite database and secret key here.', {
    default: '.sluice',
  }),
  SLUICE_DATABASE_URL: optionalText(
    'databaseUrl',
    'Server mode: a PostgreSQL URL. Unset = embedded PGlite.',
    {
      pattern: '^postgres(ql)?://',
    },
  ),
  SLUICE_DATABASE_PREPARED_STATEMENTS: flag(
    'databasePreparedStatements',
    'Server mode: run parameterized statements as named prepared statements (parsed and planned once per connection). Turn off behind a pooler that cannot carry them (PgBouncer before 1.21).',
    () => '1',
  ),
  SLUICE_ADMIN_KEY: optionalText('adminKey', 'Bootstrap admin key for tenant management.', {
    minLength: 24,
    secret: true,
  }),
  // The CLI's own (the API commands read only these, without loading the server's configuration).
  ...CLIENT_VARIABLES,
  SLUICE_SECRET_KEY: optionalText(
    'secretKey',
    '32-byte AES-256-GCM key for secrets at rest, base64 or hex. Required with SLUICE_DATABASE_URL; embedded mode generates one if unset.',
    { minLength: 32, secret: true },
  ),
  SLUICE_BODY_LIMIT_BYTES: integer('bodyLimitBytes', 'Largest request body.', {
    default: 1024 * 1024,
    minimum: 1,
  }),
  SLUICE_BODY_DRAIN_BYTES: integer(
    'bodyDrainBytes',
    'How much more of a refused body is read and discarded so its sender reads the answer (default 4 × the body limit; 0 closes at once).',
    {
      default: (env) => 4 * Number(given(env, 'SLUICE_BODY_LIMIT_BYTES') ?? 1024 * 1024),
      minimum: 0,
    },
  ),
  SLUICE_MAX_PAYLOAD_BYTES: integer(
    'maxPayloadBytes',
    'Largest payload of one emission, in bytes of its JSON; at most SLUICE_BODY_LIMIT_BYTES.',
    { default: 256 * 1024, minimum: 1 },
  ),
  SLUICE_DEDUPE_WINDOW_SECONDS: integer('dedupeWindowMs', 'How long a dedupe key blocks a repeat.', {
    default: 24 * 3600,
    minimum: 1,
    scale: 1000,
  }),
  SLUICE_CONNECTION_RATE: integer(
    'connectionRate',
    'Requests per second per connection on the ingest routes.',
    {
      default: 1000,
      minimum: 1,
    },
  ),
  SLUICE_CONNECTION_BURST: integer(
    'connectionBurst',
    'Requests per connection allowed at once above the rate.',
    {
      default: 2000,
      minimum: 1,
    },
  ),
  SLUICE_SWEEP_INTERVAL_SECONDS: integer(
    'sweepIntervalMs',
    'Seconds between housekeeping passes (expired dedupe and replay keys, old dead letters); 0 turns it off.',
    { default: 60, minimum: 0, scale: 1000 },
  ),
  SLUICE_STATISTICS_INTERVAL_SECONDS: integer(
    'statisticsIntervalMs',
    'Seconds between checks of the planner statistics: a table that has doubled since it was last analyzed is analyzed again (PGlite runs no autovacuum); 0 turns it off.',
    { default: 2, minimum: 0, scale: 1000 },
  ),
  SLUICE_DEAD_LETTER_RETENTION_DAYS: integer(
    'deadLetterRetentionMs',
    'Pending dead letters older than this many days are marked expired.',
    { default: 30, minimum: 1, scale: 24 * 3600 * 1000 },
  ),
  SLUICE_DEAD_LETTER_CHECK_SECONDS: integer(
    'deadLetterCheckMs',
    'Seconds between dead-letter depth checks (the depth gauge, threshold alerts) and replay-policy passes; 0 turns them off.',
    { default: 5, minimum: 0, scale: 1000 },
  ),
  SLUICE_REPLAY_RATE: integer(
    'replayRatePerSecond',
    'Dead letters replayed per second by a bulk replay without rate_per_second, and by replay policies.',
    { default: 10, minimum: 1 },
  ),
  SLUICE_DEV: flag(
    'dev',
    'Embedded dev mode: create a dev tenant and print its key on first start.',
    (env) => (given(env, 'SLUICE_DATABASE_URL') === undefined ? '1' : '0'),
  ),
  SLUICE_LOG_LEVEL: oneOf('logLevel', 'Log level.', { values: LOG_LEVELS, default: 'info' }),
  SLUICE_LOG_PRETTY: flag(
    'logPretty',
    'Readable log lines (pino-pretty) instead of JSON lines; on by default in dev mode when stdout is a terminal.',
    (env) =>
      (given(env, 'SLUICE_DEV') ?? (given(env, 'SLUICE_DATABASE_URL') === undefined ? '1' : '0')) === '1' &&
      process.stdout.isTTY === true
        ? '1'
        : '0',
  ),
  SLUICE_PUBLIC_URL: optionalText(
    'publicUrl',
    'The URL clients reach this server at, for the ingest URLs it hands out.',
    {
      pattern: '^https?://',
    },
  ),
  SLUICE_REDIS_URL: optionalText(
    'redisUrl',
    'A redis:// URL: the bus between relays and routers runs on Redis Streams. Unset = the in-process bus (one process only).',
    { pattern: '^rediss?://', secret: true },
  ),
  SLUICE_WORKERS: listOf(
    'workers',
    'The stage workers this process runs, comma-separated: receiver (the HTTP API), relay, router, executor, scheduler (poll streams and cron schedules), mqtt (the MQTT gateway: one broker session per mqtt connection; run it in one process).',
    { values: WORKERS, default: DEFAULT_WORKERS },
  ),
  SLUICE_RELAY_IDLE_MS: integer(
    'relayIdleMs',
    'How long the relay waits after finding nothing to claim before it looks again; appends and acknowledgements in its own process wake it at once (default 20, or 200 in embedded mode, where they always do).',
    {
      default: (env) => (given(env, 'SLUICE_DATABASE_URL') === undefined ? 200 : 20),
      minimum: 1,
      maximum: 60_000,
    },
  ),
  SLUICE_RELAY_LEASE_SECONDS: integer(
    'relayLeaseMs',
    'How long a relay holds the outbox rows it claimed; after a relay dies, its rows are sent again once this passes.',
    { default: 30, minimum: 1, scale: 1000 },
  ),
  SLUICE_ALLOW_PRIVATE_TARGETS: flag(
    'allowPrivateTargets',
    'Let http actions, poll sources and MQTT brokers reach loopback, private, link-local and unique-local addresses (tests, local receivers, on-premises gateways); metadata endpoints stay refused.',
    () => '0',
  ),
  SLUICE_JOB_LEASE_SECONDS: integer(
    'jobLeaseMs',
    'How long an executor holds a job without a heartbeat (it beats every third of it); the job of a killed executor runs again once this passes.',
    { default: 30, minimum: 1, maximum: 3600, scale: 1000 },
  ),
  SLUICE_SCHEDULER_LEASE_SECONDS: integer(
    'schedulerLeaseMs',
    'How long a scheduler holds a poll stream or cron schedule it claimed without a heartbeat (it beats every third of it while the run or tick is under way); the stream or slot of a killed scheduler is taken again once this passes.',
    { default: 10, minimum: 1, maximum: 3600, scale: 1000 },
  ),
  SLUICE_EXECUTOR_CONCURRENCY: integer(
    'executorConcurrency',
    'Most jobs one executor process runs at once.',
    { default: 128, minimum: 1, maximum: 10_000 },
  ),
  SLUICE_EXECUTOR_TARGET_CONCURRENCY: optionalInteger(
    'executorTargetConcurrency',
    'Most attempts one executor process has in flight to one http endpoint (origin); a slow target holds no more of its slots, the rest of its jobs wait (uncounted). Unset = no cap.',
    { minimum: 1 },
  ),
  SLUICE_BREAKER_COOLDOWN_SECONDS: integer(
    'breakerCoolDownMs',
    'How long an endpoint circuit stays open before one probe is let through (it doubles with each failed probe, up to 10 min).',
    { default: 30, minimum: 1, maximum: 600, scale: 1000 },
  ),
  SLUICE_TENANT_CONCURRENCY: optionalInteger(
    'tenantConcurrency',
    'Most running jobs one tenant may have across all executors. Unset = no cap.',
    { minimum: 1 },
  ),
  SLUICE_CONFIG: optionalText(
    'configFile',
    'A Sluice config file listing extra connectors and operators (relative to the working directory); unset: sluice.config.ts in the working directory, when there is one.',
    {},
  ),
  SLUICE_ALLOWED_ACTIONS: textList(
    'allowedActions',
    'The action kinds a tenant without allowed_actions of its own may use in triggers and plans, comma-separated: http, connector:<connector>.<action>, handler:<operator>, or a prefix ending in * (connector:*, *).',
    { default: '*' },
  ),
  SLUICE_JOB_RESULT_TTL_SECONDS: integer(
    'jobResultTtlMs',
    'How long a completed action is remembered under its idempotency key; a job with the same key within it returns the remembered result instead of running.',
    { default: 24 * 3600, minimum: 1, scale: 1000 },
  ),
} satisfies Record<string, Variable<string, unknown>>;

type Variables = typeof CONFIG_VARIABLES;
type VariableName = keyof Variables;

/** The parsed configuration: one property per variable, named by its declaration's `field`. */
export type Config = {
  readonly [Name in VariableName as Variables[Name]['field']]: ReturnType<Variables[Name]['value']>;
};

/** A config error lists every bad variable at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A rule between variables, checked when each variable it uses is valid on its own. */
interface CrossRule {
  /** The variable the message names. */
  readonly name: VariableName;
  readonly uses: ReadonlyArray<VariableName>;
  /** A problem to report, or null. */
  check(config: Config): string | null;
}

const CROSS_RULES: ReadonlyArray<CrossRule> = [
  {
    name: 'SLUICE_SECRET_KEY',
    uses: ['SLUICE_SECRET_KEY', 'SLUICE_DATABASE_URL'],
    check: (config) =>
      config.databaseUrl !== null && config.secretKey === null
        ? 'is required with SLUICE_DATABASE_URL (32 bytes, base64 or hex); only embedded mode generates one'
        : null,
  },
  {
    name: 'SLUICE_SECRET_KEY',
    uses: ['SLUICE_SECRET_KEY'],
    check: (config) => {
      if (config.secretKey === null) return null;
      try {
        SecretBox.fromText(config.secretKey);
        return null;
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return `${reason} Give 32 bytes as 64 hex digits or as base64.`;
      }
    },
  },
  {
    name: 'SLUICE_WORKERS',
    uses: ['SLUICE_WORKERS', 'SLUICE_REDIS_URL'],
    check: (config) =>
      config.redisUrl === null && config.workers.includes('relay') !== config.workers.includes('router')
        ? 'a relay without a router in the same process (or a router without a relay) needs SLUICE_REDIS_URL: the in-process bus does not reach other processes'
        : null,
  },
  {
    name: 'SLUICE_ALLOWED_ACTIONS',
    uses: ['SLUICE_ALLOWED_ACTIONS'],
    check: (config) => {
      const bad = config.allowedActions.filter((kind) => !isKindPattern(kind));
      return bad.length === 0
        ? null
        : `${bad.map((kind) => JSON.stringify(kind)).join(', ')} ${bad.length === 1 ? 'is not an action kind' : 'are not action kinds'}: use http, connector:<connector>.<action>, handler:<operator>, or a prefix ending in * (connector:*, *)`;
    },
  },
  {
    name: 'SLUICE_MAX_PAYLOAD_BYTES',
    uses: ['SLUICE_MAX_PAYLOAD_BYTES', 'SLUICE_BODY_LIMIT_BYTES'],
    check: (config) =>
      config.maxPayloadBytes > config.bodyLimitBytes
        ? `must not exceed SLUICE_BODY_LIMIT_BYTES (${config.bodyLimitBytes}): a payload travels inside a body`
        : null,
  },
];

const NAMES = Object.keys(CONFIG_VARIABLES) as VariableName[];
const variableOf = (name: VariableName): Variable<string, unknown> => CONFIG_VARIABLES[name];

/** Every variable as one object schema; a variable without a default may be left unset. */
const SCHEMA = Type.Object(
  Object.fromEntries(
    NAMES.map((name) => {
      const variable = variableOf(name);
      return [name, variable.default === undefined ? Type.Optional(variable.schema) : variable.schema];
    }),
  ),
);

/** A schema problem of an enumeration lists its values; a rule between variables says its own message. */
function describeProblem(name: VariableName, raw: unknown, message: string, byRule = false): string {
  const variable = variableOf(name);
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  const why =
    variable.allowed === undefined || byRule ? message : `must be one of ${variable.allowed.join(', ')}`;
  const shown =
    value === undefined
      ? ' (unset)'
      : variable.secret === true
        ? ` (${String(value).length} characters, not shown)`
        : `=${JSON.stringify(value)}`;
  return `  ${name}${shown}: ${why}`;
}

/**
 * Parses `env` (by default the process environment) against `CONFIG_VARIABLES` and the rules between
 * them, before anything is opened or written. Throws a `ConfigError` naming every invalid variable.
 */
export function loadConfig(env: Env = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const name of NAMES) {
    const variable = variableOf(name);
    // An empty variable (`SLUICE_PORT=` in an env file) means unset: it gets the default.
    const textValue =
      given(env, name) ?? (typeof variable.default === 'function' ? variable.default(env) : variable.default);
    if (textValue !== undefined) raw[name] = variable.coerce(textValue);
  }
  const problems = new Map<VariableName, string>();
  for (const error of Value.Errors(SCHEMA, raw)) {
    // A list's element errors point inside it (`/SLUICE_WORKERS/1`); the variable is the first segment.
    const name = error.path.slice(1).split('/')[0] as VariableName;
    if (!problems.has(name)) problems.set(name, describeProblem(name, raw[name], error.message));
  }
  const config = Object.fromEntries(
    NAMES.filter((name) => !problems.has(name)).map((name) => {
      const variable = variableOf(name);
      return [variable.field, variable.value(raw[name])];
    }),
  ) as Config;
  for (const rule of CROSS_RULES) {
    if (problems.has(rule.name) || rule.uses.some((name) => problems.has(name))) continue;
    const problem = rule.check(config);
    if (problem !== null) problems.set(rule.name, describeProblem(rule.name, raw[rule.name], problem, true));
  }
  if (problems.size > 0) {
    throw new ConfigError(`Invalid configuration:\n${[...problems.values()].join('\n')}`);
  }
  return config;
}

/** `loadConfig` over the process environment with `overrides` on top (command-line flags). */
export function loadConfigWith(overrides: Readonly<Record<string, string>>): Config {
  return loadConfig({ ...process.env, ...overrides });
}

/** The text default of a variable, for help output (none when it depends on other variables). */
export function defaultOf(name: VariableName): string | undefined {
  const variable = variableOf(name);
  return typeof variable.default === 'function' ? undefined : variable.default;
}

/** Trace export, from the standard OpenTelemetry variables (their SDK reads the exporter's own too). */
export interface TracingConfig {
  /** `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` or `OTEL_EXPORTER_OTLP_ENDPOINT`; null: nothing is exported. */
  readonly endpoint: string | null;
  /** `OTEL_SERVICE_NAME`, `sluice` by default. */
  readonly serviceName: string;
  /** `OTEL_BSP_SCHEDULE_DELAY`: how long finished spans wait for their batch, in ms (5,000 by default). */
  readonly scheduleDelayMs: number;
}

/**
 * The OpenTelemetry variables keep their standard names (`OTEL_*`, outside `CONFIG_VARIABLES`), so stock
 * deployments set them as for any other service. `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`
 * turns export off whatever the endpoint.
 */
export function loadTracingConfig(env: Env = process.env): TracingConfig {
  const endpoint =
    given(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? given(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? null;
  const off = given(env, 'OTEL_SDK_DISABLED') === 'true' || given(env, 'OTEL_TRACES_EXPORTER') === 'none';
  if (endpoint !== null && !/^https?:\/\//.test(endpoint)) {
    throw new ConfigError(
      `Invalid configuration:\n  OTEL_EXPORTER_OTLP_ENDPOINT=${JSON.stringify(endpoint)}: must be an http(s) URL`,
    );
  }
  const delay = Number(given(env, 'OTEL_BSP_SCHEDULE_DELAY') ?? 5000);
  return {
    endpoint: off ? null : endpoint,
    serviceName: given(env, 'OTEL_SERVICE_NAME') ?? 'sluice',
    scheduleDelayMs: Number.isInteger(delay) && delay >= 0 ? delay : 5000,
  };
}
