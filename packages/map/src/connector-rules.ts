import {
  type ConnectorSpec,
  isEventType,
  isSourceId,
  isStreamKey,
  isVerificationScheme,
  type StreamMode,
  VERIFICATION_SCHEMES,
} from '@sluice/core';
import { type DefinitionProblem, problem } from './definition-problem.ts';
import type { DraftStream } from './normalize-streams.ts';

/** Every stream mode, exhaustively: a mode added to the kernel fails to compile here until handled. */
const STREAM_MODES: Record<StreamMode, true> = { webhook: true, poll: true, emit: true, subscribe: true };
const MODE_LIST = Object.keys(STREAM_MODES)
  .map((mode) => JSON.stringify(mode))
  .join(', ');
const SCHEME_LIST = VERIFICATION_SCHEMES.map((scheme) => JSON.stringify(scheme)).join(', ');

/** Five space-separated fields of digits, `*`, `/`, `,` and `-`: the shape of a cron expression. */
const CRON_SHAPE = /^[0-9*/,-]+( +[0-9*/,-]+){4}$/;

/** True when `value` has the shape of a 5-field cron expression, e.g. `*\/15 * * * *`. */
export function isCronShape(value: string): boolean {
  return CRON_SHAPE.test(value.trim());
}

const isMode = (value: unknown): value is StreamMode =>
  typeof value === 'string' && Object.hasOwn(STREAM_MODES, value);

/** The connector id rule: SOURCE_PATTERN, and no ':' (that is kept for `operator:<name>` sources). */
export function checkConnectorId(id: unknown): DefinitionProblem[] {
  if (typeof id === 'string' && isSourceId(id) && !id.includes(':')) return [];
  return [
    problem(
      String(id),
      null,
      'connector_id_format',
      `connector ids are stable lowercase letters, digits, '.', '_' and '-' without ':' (e.g. "cn-magento"), got ${JSON.stringify(id)}`,
    ),
  ];
}

/** Naming, uniqueness, mode and schedule rules of each stream. */
export function checkStreams(id: string, streams: ReadonlyArray<DraftStream>): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const keys = new Set<string>();
  const owners = new Map<string, string>();
  for (const { declaration, derivedFrom } of streams) {
    const { key, mode, events, schedule, topic } = declaration;
    const eventTypeValid = derivedFrom === null || isEventType(derivedFrom);
    if (eventTypeValid && !isStreamKey(key)) {
      problems.push(
        problem(id, key, 'stream_key_format', 'stream keys are lower_snake (e.g. "order_events")'),
      );
    }
    if (keys.has(key)) {
      problems.push(problem(id, key, 'stream_key_unique', 'stream key is declared more than once'));
    }
    keys.add(key);
    if (!isMode(mode)) {
      const field = derivedFrom === null ? 'mode' : 'kind';
      problems.push(
        problem(id, key, 'stream_mode', `${field} must be one of ${MODE_LIST}, got ${JSON.stringify(mode)}`),
      );
    }
    if (topic !== undefined && typeof topic !== 'string') {
      problems.push(problem(id, key, 'stream_shape', `topic must be a string, got ${JSON.stringify(topic)}`));
    }
    if (events.length === 0) {
      problems.push(problem(id, key, 'stream_events_empty', 'a stream declares at least one event type'));
    }
    for (const eventType of events) {
      if (!isEventType(eventType)) {
        problems.push(
          problem(
            id,
            key,
            'event_type_format',
            `event types are dotted noun.verb (e.g. "order.created"), got ${JSON.stringify(eventType)}`,
          ),
        );
        continue;
      }
      const owner = owners.get(eventType);
      if (owner !== undefined) {
        problems.push(
          problem(
            id,
            key,
            'event_type_unique',
            `event type ${JSON.stringify(eventType)} is already declared by stream ${JSON.stringify(owner)}; an event type belongs to one stream`,
          ),
        );
        continue;
      }
      owners.set(eventType, key);
    }
    if (schedule !== undefined) {
      if (mode !== 'poll') {
        problems.push(
          problem(
            id,
            key,
            'schedule_poll_only',
            `schedule is for poll streams only; this stream's mode is ${JSON.stringify(mode)}`,
          ),
        );
      } else if (typeof schedule !== 'string' || !isCronShape(schedule)) {
        problems.push(
          problem(
            id,
            key,
            'schedule_format',
            `schedule must be a 5-field cron expression (e.g. "*/15 * * * *"), got ${JSON.stringify(schedule)}`,
          ),
        );
      }
    }
  }
  return problems;
}

/** Every poll stream has a handler in `poll`, and every handler names a declared poll stream. */
export function checkPollHandlers(
  id: string,
  streams: ReadonlyArray<DraftStream>,
  poll: ConnectorSpec['poll'],
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const handlers: Readonly<Record<string, unknown>> = poll ?? {};
  const pollKeys = new Set<string>();
  for (const { declaration } of streams) {
    if (declaration.mode !== 'poll') continue;
    pollKeys.add(declaration.key);
    if (!Object.hasOwn(handlers, declaration.key)) {
      problems.push(
        problem(
          id,
          declaration.key,
          'poll_handler_missing',
          `poll streams need a handler: add poll[${JSON.stringify(declaration.key)}]`,
        ),
      );
    }
  }
  for (const [key, handler] of Object.entries(handlers)) {
    if (!pollKeys.has(key)) {
      problems.push(
        problem(
          id,
          key,
          'poll_handler_unknown',
          `poll[${JSON.stringify(key)}] names no declared poll stream; declare it with mode "poll"`,
        ),
      );
    } else if (typeof handler !== 'function') {
      problems.push(problem(id, key, 'poll_handler_type', `poll[${JSON.stringify(key)}] must be a function`));
    }
  }
  return problems;
}

/**
 * Webhook streams need a verification scheme and a mapping. The scheme is checked whenever `webhook` is
 * given, and its problems name the first webhook stream (the one that needs it), if any.
 */
export function checkWebhook(
  id: string,
  streams: ReadonlyArray<DraftStream>,
  spec: ConnectorSpec,
): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  const webhookStream = streams.find(({ declaration }) => declaration.mode === 'webhook')?.declaration.key;
  const stream = webhookStream ?? null;
  const verify: unknown = spec.webhook?.verify;
  if (verify === undefined) {
    if (webhookStream !== undefined) {
      problems.push(
        problem(
          id,
          stream,
          'webhook_verify_missing',
          `webhook streams need \`webhook.verify\` naming a verification scheme (one of ${SCHEME_LIST})`,
        ),
      );
    }
  } else {
    const scheme =
      typeof verify === 'object' && verify !== null ? (verify as { scheme?: unknown }).scheme : verify;
    if (typeof scheme !== 'string' || !isVerificationScheme(scheme)) {
      problems.push(
        problem(
          id,
          stream,
          'webhook_verify_scheme',
          `webhook.verify.scheme must be one of ${SCHEME_LIST}, got ${JSON.stringify(scheme)}`,
        ),
      );
    } else if (scheme === 'hmac-sha256') {
      const header = (verify as { header?: unknown }).header;
      if (typeof header !== 'string' || header.trim() === '') {
        problems.push(
          problem(
            id,
            stream,
            'hmac_header_missing',
            'webhook.verify with scheme "hmac-sha256" needs a `header` naming the signature header (e.g. "x-signature")',
          ),
        );
      }
    }
  }
  const subscribeStream = streams.find(({ declaration }) => declaration.mode === 'subscribe')?.declaration
    .key;
  if (spec.map !== undefined && typeof spec.map !== 'function') {
    problems.push(problem(id, stream, 'map_type', '`map` must be a function (input) => emissions'));
  } else if (spec.map === undefined && webhookStream !== undefined) {
    problems.push(
      problem(
        id,
        stream,
        'map_missing',
        'webhook streams need a `map` function that turns a delivery into emissions',
      ),
    );
  } else if (spec.map === undefined && subscribeStream !== undefined) {
    problems.push(
      problem(
        id,
        subscribeStream,
        'map_missing',
        'subscribe streams need a `map` function that turns a broker message into emissions',
      ),
    );
  }
  problems.push(...checkHandshake(id, stream, spec));
  return problems;
}

/** A `handshake` is a function, and only a connector that receives webhooks has one. */
function checkHandshake(id: string, stream: string | null, spec: ConnectorSpec): DefinitionProblem[] {
  if (spec.handshake === undefined) return [];
  if (typeof spec.handshake !== 'function') {
    return [problem(id, stream, 'handshake_type', '`handshake` must be a function (input) => answer | null')];
  }
  if (spec.webhook === undefined) {
    return [
      problem(
        id,
        stream,
        'handshake_webhook_only',
        '`handshake` answers webhook deliveries; declare `webhook.verify` to receive them',
      ),
    ];
  }
  return [];
}

/** `secretConfig` is a list of distinct, non-empty config key names. */
export function checkSecretConfig(id: string, secretConfig: unknown): DefinitionProblem[] {
  if (secretConfig === undefined) return [];
  const valid =
    Array.isArray(secretConfig) &&
    secretConfig.every((key) => typeof key === 'string' && key.length > 0) &&
    new Set(secretConfig).size === secretConfig.length;
  return valid
    ? []
    : [
        problem(
          id,
          null,
          'secret_config_format',
          'secretConfig must list distinct, non-empty config key names',
        ),
      ];
}
