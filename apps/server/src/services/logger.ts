import { lazyModule } from '@sluice/core';
import pino, { type DestinationStream, type Logger } from 'pino';
import type prettyStream from 'pino-pretty';
import type { Config } from '../config.ts';

/** pino-pretty, loaded only for readable lines (JSON lines, the default off a terminal, never need it). */
const pretty = lazyModule<typeof prettyStream>(import.meta.url, 'pino-pretty');

/**
 * What a log line never shows: credentials (API keys, bearer tokens, cookies), the signature headers of
 * every verification scheme, and secrets wherever an object carries one. pino replaces them with
 * `[Redacted]` before the line is written.
 */
export const REDACTED_PATHS: ReadonlyArray<string> = [
  ...[
    'authorization',
    'cookie',
    'x-api-key',
    'webhook-signature',
    'x-hub-signature',
    'x-hub-signature-256',
    'stripe-signature',
    'x-shopify-hmac-sha256',
    'x-slack-signature',
    'ce-signature',
    'x-signature',
  ].flatMap((name) => [`req.headers["${name}"]`, `headers["${name}"]`, `*.headers["${name}"]`]),
  'secret',
  'api_key',
  'key',
  '*.secret',
  '*.api_key',
  '*.key',
  '*.plaintext',
];

/**
 * The process's logger: JSON lines, or readable lines through pino-pretty when `logPretty` (dev mode on a
 * terminal, or `SLUICE_LOG_PRETTY=1`). Stages log through child loggers that carry `stage` and, where they
 * apply, `event_id`, `trace_id`, `tenant_id` and `job_id`.
 */
export function createLogger(
  config: Pick<Config, 'logLevel' | 'logPretty'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    level: config.logLevel,
    redact: { paths: [...REDACTED_PATHS] },
  };
  if (destination !== undefined) return pino(options, destination);
  if (!config.logPretty) return pino(options);
  return pino(
    options,
    pretty()({
      colorize: process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      sync: true,
    }),
  );
}
