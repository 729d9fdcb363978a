import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Positive = Type.Integer({ minimum: 1 });

/** Every environment variable Sluice reads, parsed once at start against this schema. */
const EnvSchema = Type.Object({
  SLUICE_HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  SLUICE_PORT: Port,
  /** Embedded mode keeps its PGlite database and secret key here. */
  SLUICE_DATA_DIR: Type.String({ default: '.sluice', minLength: 1 }),
  /** Server mode: a PostgreSQL URL. Unset = embedded PGlite. */
  SLUICE_DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  /** Bootstrap admin key for tenant management; at least 24 characters. */
  SLUICE_ADMIN_KEY: Type.Optional(Type.String({ minLength: 24 })),
  /** 32-byte AES-256-GCM key for secrets at rest, base64 or hex. Embedded mode generates one if unset. */
  SLUICE_SECRET_KEY: Type.Optional(Type.String({ minLength: 32 })),
  SLUICE_BODY_LIMIT_BYTES: Positive,
  /** How much more of a refused (oversized) body is read and discarded, so its sender reads the 413. */
  SLUICE_BODY_DRAIN_BYTES: Type.Optional(Type.Integer({ minimum: 0 })),
  SLUICE_MAX_PAYLOAD_BYTES: Positive,
  SLUICE_DEDUPE_WINDOW_SECONDS: Positive,
  /** Requests per second per connection on the ingest routes, and the burst above it. */
  SLUICE_CONNECTION_RATE: Positive,
  SLUICE_CONNECTION_BURST: Positive,
  /** Seconds between housekeeping passes (expired dedupe and replay keys, old dead letters); 0 turns it off. */
  SLUICE_SWEEP_INTERVAL_SECONDS: Type.Integer({ minimum: 0 }),
  /** Pending dead letters older than this many days are marked expired. */
  SLUICE_DEAD_LETTER_RETENTION_DAYS: Positive,
  /** Embedded dev mode: create a dev tenant and print its key on first start. */
  SLUICE_DEV: Type.Union([Type.Literal('1'), Type.Literal('0')]),
  SLUICE_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((level) => Type.Literal(level)),
  ),
  /** The URL clients reach this server at, for the ingest URLs it hands out. */
  SLUICE_PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
});

const DEFAULTS: Record<string, string> = {
  SLUICE_PORT: '8787',
  SLUICE_BODY_LIMIT_BYTES: String(1024 * 1024),
  SLUICE_MAX_PAYLOAD_BYTES: String(256 * 1024),
  SLUICE_DEDUPE_WINDOW_SECONDS: String(24 * 3600),
  SLUICE_CONNECTION_RATE: '1000',
  SLUICE_CONNECTION_BURST: '2000',
  SLUICE_LOG_LEVEL: 'info',
  SLUICE_SWEEP_INTERVAL_SECONDS: '60',
  SLUICE_DEAD_LETTER_RETENTION_DAYS: '30',
};

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly databaseUrl: string | null;
  readonly adminKey: string | null;
  readonly secretKey: string | null;
  readonly bodyLimitBytes: number;
  /** Default 4 × `bodyLimitBytes`; 0 closes at once. */
  readonly bodyDrainBytes: number;
  readonly maxPayloadBytes: number;
  readonly dedupeWindowMs: number;
  readonly connectionRate: number;
  readonly connectionBurst: number;
  readonly sweepIntervalMs: number;
  readonly deadLetterRetentionMs: number;
  readonly dev: boolean;
  readonly logLevel: Static<typeof EnvSchema>['SLUICE_LOG_LEVEL'];
  readonly publicUrl: string | null;
}

/** A config error lists every bad variable at once. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const INTEGER_VARS = new Set([
  'SLUICE_PORT',
  'SLUICE_BODY_LIMIT_BYTES',
  'SLUICE_BODY_DRAIN_BYTES',
  'SLUICE_MAX_PAYLOAD_BYTES',
  'SLUICE_DEDUPE_WINDOW_SECONDS',
  'SLUICE_CONNECTION_RATE',
  'SLUICE_CONNECTION_BURST',
  'SLUICE_SWEEP_INTERVAL_SECONDS',
  'SLUICE_DEAD_LETTER_RETENTION_DAYS',
]);

/** Parses the environment; throws a `ConfigError` naming every invalid variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const given = env[key];
    // An empty variable (`SLUICE_PORT=` in an env file) means unset: it gets the default.
    const value = given === undefined || given === '' ? DEFAULTS[key] : given;
    if (value === undefined) continue;
    raw[key] = INTEGER_VARS.has(key) && /^\d+$/.test(value) ? Number(value) : value;
  }
  raw['SLUICE_DEV'] ??= env['SLUICE_DATABASE_URL'] ? '0' : '1';
  const withDefaults = Value.Default(EnvSchema, raw);
  const errors = [...Value.Errors(EnvSchema, withDefaults)];
  if (errors.length > 0) {
    const lines = errors.map(
      (e) => `  ${e.path.slice(1) || '(env)'}=${JSON.stringify(e.value)}: ${e.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n${[...new Set(lines)].join('\n')}`);
  }
  const env2 = withDefaults as Static<typeof EnvSchema>;
  return {
    host: env2.SLUICE_HOST,
    port: env2.SLUICE_PORT,
    dataDir: env2.SLUICE_DATA_DIR,
    databaseUrl: env2.SLUICE_DATABASE_URL ?? null,
    adminKey: env2.SLUICE_ADMIN_KEY ?? null,
    secretKey: env2.SLUICE_SECRET_KEY ?? null,
    bodyLimitBytes: env2.SLUICE_BODY_LIMIT_BYTES,
    bodyDrainBytes: env2.SLUICE_BODY_DRAIN_BYTES ?? 4 * env2.SLUICE_BODY_LIMIT_BYTES,
    maxPayloadBytes: env2.SLUICE_MAX_PAYLOAD_BYTES,
    dedupeWindowMs: env2.SLUICE_DEDUPE_WINDOW_SECONDS * 1000,
    connectionRate: env2.SLUICE_CONNECTION_RATE,
    connectionBurst: env2.SLUICE_CONNECTION_BURST,
    sweepIntervalMs: env2.SLUICE_SWEEP_INTERVAL_SECONDS * 1000,
    deadLetterRetentionMs: env2.SLUICE_DEAD_LETTER_RETENTION_DAYS * 24 * 3600 * 1000,
    dev: env2.SLUICE_DEV === '1',
    logLevel: env2.SLUICE_LOG_LEVEL,
    publicUrl: env2.SLUICE_PUBLIC_URL ?? null,
  };
}
