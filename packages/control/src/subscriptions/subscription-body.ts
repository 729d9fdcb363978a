import type { Condition } from '@sluice/core';
import { parseCondition } from '@sluice/route';
import type { SqlCheck } from '../triggers/trigger-body.ts';
import { fieldProblem, shown, type TriggerFieldProblem } from '../triggers/trigger-problem.ts';
import { CONFIG_KEYS } from './subscription.ts';
import { attributeSql, filtersToCondition } from './subscription-filters.ts';

/** A subscription body as the trigger body it stands for, or every problem found. */
export type SubscriptionBodyResult =
  | { readonly ok: true; readonly trigger: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly problems: ReadonlyArray<TriggerFieldProblem> };

const FIELDS = [
  'id',
  'protocol',
  'protocolsettings',
  'sink',
  'sinkcredential',
  'source',
  'types',
  'filters',
  'config',
] as const;
const PROTOCOLS = ['HTTP', 'MQTT3', 'MQTT5', 'AMQP', 'NATS', 'KAFKA'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a `SubscriptionRequest` (or, to replace one, a `Subscription` with the same `id`) as a trigger
 * body: `sink` → an http action's `url`, `types` → `event_types` (all types when absent), `source` and
 * `filters` → the condition, `protocolsettings.headers` → the action's headers, `config` → name,
 * enabled, priority, format (CloudEvents by default), secret and a text `condition`. Only HTTP delivery
 * with POST is offered, and only the signing secret authenticates it (no `sinkcredential`). Never throws.
 */
export function parseSubscriptionBody(
  body: unknown,
  options: { readonly id?: string; readonly sql?: SqlCheck | undefined },
): SubscriptionBodyResult {
  if (!isObject(body)) {
    return {
      ok: false,
      problems: [fieldProblem('', 'body_type', `a subscription is a JSON object, got ${shown(body)}`)],
    };
  }
  const problems: TriggerFieldProblem[] = [];
  for (const key of Object.keys(body)) {
    if (!(FIELDS as ReadonlyArray<string>).includes(key)) {
      problems.push(fieldProblem(key, 'field_unknown', `a subscription has only ${FIELDS.join(', ')}`));
    }
  }
  const id = body['id'];
  if (id !== undefined && id !== options.id) {
    const why =
      options.id === undefined
        ? 'the id is assigned when a subscription is created'
        : `id must be the one in the path, ${JSON.stringify(options.id)}`;
    problems.push(fieldProblem('id', 'id_mismatch', `${why}, got ${shown(id)}`));
  }
  const protocol = body['protocol'];
  if (protocol === undefined)
    problems.push(fieldProblem('protocol', 'field_missing', 'protocol is required ("HTTP")'));
  else if (protocol !== 'HTTP') {
    const known = PROTOCOLS.includes(protocol as string);
    problems.push(
      fieldProblem(
        'protocol',
        'protocol_unsupported',
        `${known ? 'only HTTP delivery is offered' : `protocol is one of ${PROTOCOLS.join(', ')}`}, got ${shown(protocol)}`,
      ),
    );
  }
  if (body['sink'] === undefined)
    problems.push(
      fieldProblem('sink', 'field_missing', 'sink is required: the URL deliveries are posted to'),
    );
  if (body['sinkcredential'] !== undefined) {
    problems.push(
      fieldProblem(
        'sinkcredential',
        'field_unsupported',
        'deliveries are signed per Standard Webhooks with the subscription secret (config.secret) instead',
      ),
    );
  }
  const headers = protocolHeaders(body['protocolsettings'], problems);
  const config = readConfig(body['config'], problems);
  const condition = readCondition(body, config['condition'], options.sql, problems);
  if (problems.length > 0) return { ok: false, problems };

  const types = body['types'];
  const sink = body['sink'];
  const trigger: Record<string, unknown> = {
    name: config['name'] ?? defaultName(sink),
    event_types: Array.isArray(types) && types.length === 0 ? ['*'] : (types ?? ['*']),
    condition,
    priority: config['priority'] ?? null,
    action: {
      type: 'http',
      url: sink,
      format: config['format'] ?? 'cloudevents',
      ...(headers === undefined ? {} : { headers }),
      ...(config['secret'] === undefined ? {} : { secret: config['secret'] }),
    },
    enabled: config['enabled'] !== 'false',
  };
  return { ok: true, trigger };
}

function protocolHeaders(settings: unknown, problems: TriggerFieldProblem[]): unknown {
  if (settings === undefined) return undefined;
  if (!isObject(settings)) {
    problems.push(
      fieldProblem(
        'protocolsettings',
        'field_unsupported',
        `protocolsettings is an object of HTTP settings, got ${shown(settings)}`,
      ),
    );
    return undefined;
  }
  for (const key of Object.keys(settings)) {
    if (key !== 'headers' && key !== 'method') {
      problems.push(
        fieldProblem(
          `protocolsettings.${key}`,
          'field_unknown',
          'HTTP settings have only headers and method',
        ),
      );
    }
  }
  const method = settings['method'];
  if (method !== undefined && (typeof method !== 'string' || method.toUpperCase() !== 'POST')) {
    problems.push(
      fieldProblem(
        'protocolsettings.method',
        'field_unsupported',
        `deliveries are POSTed, got ${shown(method)}`,
      ),
    );
  }
  return settings['headers'];
}

function readConfig(config: unknown, problems: TriggerFieldProblem[]): Record<string, string> {
  if (config === undefined) return {};
  if (!isObject(config)) {
    problems.push(
      fieldProblem('config', 'config_value', `config is an object of strings, got ${shown(config)}`),
    );
    return {};
  }
  const read: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!(CONFIG_KEYS as ReadonlyArray<string>).includes(key)) {
      problems.push(
        fieldProblem(`config.${key}`, 'field_unknown', `config has only ${CONFIG_KEYS.join(', ')}`),
      );
    } else if (typeof value !== 'string') {
      problems.push(
        fieldProblem(`config.${key}`, 'config_value', `config values are strings, got ${shown(value)}`),
      );
    } else if (key === 'enabled' && value !== 'true' && value !== 'false') {
      problems.push(
        fieldProblem('config.enabled', 'config_value', `enabled is "true" or "false", got ${shown(value)}`),
      );
    } else {
      read[key] = value;
    }
  }
  return read;
}

/** `source`, the filters and a text `config.condition`, all of which must hold. */
function readCondition(
  body: Record<string, unknown>,
  text: string | undefined,
  sql: SqlCheck | undefined,
  problems: TriggerFieldProblem[],
): Condition | string | null {
  const parts: Condition[] = [];
  const source = body['source'];
  if (source !== undefined) {
    if (typeof source !== 'string' || source === '' || source.length > 1024 || source.endsWith('\\')) {
      problems.push(
        fieldProblem('source', 'filter_value', `source is a URI reference, got ${shown(source)}`),
      );
    } else {
      parts.push({ sql: attributeSql('exact', 'source', source) });
    }
  }
  if (body['filters'] !== undefined) {
    const filtered = filtersToCondition(body['filters'], 'filters', sql, problems);
    if (filtered !== null) parts.push(filtered);
  }
  if (text !== undefined) {
    // Alone, the text is kept as written; beside filters it joins them as its AST.
    if (parts.length === 0) return text;
    const parsed = parseCondition(text);
    if (!parsed.ok) {
      problems.push({
        ...fieldProblem('config.condition', 'condition_syntax', parsed.error.message),
        column: parsed.error.column,
      });
      return null;
    }
    parts.push(parsed.condition);
  }
  if (parts.length === 0) return null;
  if (parts.length === 1) return parts[0] ?? null;
  return { all: parts.flatMap((part) => ('all' in part ? part.all : [part])) };
}

function defaultName(sink: unknown): string {
  return `subscription ${typeof sink === 'string' ? sink.slice(0, 180) : ''}`.trim();
}
