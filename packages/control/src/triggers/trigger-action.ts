import { DELIVERY_FORMATS, type TriggerAction } from '@sluice/core';
import { fieldProblem, shown, type TriggerFieldProblem } from './trigger-problem.ts';
import { isWebhookSecret } from './webhook-secret.ts';

/** A checked action, and the signing secret its author gave (an http action's; sealed apart). */
export interface ParsedAction {
  readonly action: TriggerAction;
  readonly secret: string | null;
}

export type ActionResult =
  | { readonly ok: true; readonly parsed: ParsedAction }
  | { readonly ok: false; readonly problems: ReadonlyArray<TriggerFieldProblem> };

/** Limits of an http action. */
export const HTTP_ACTION_LIMITS = { maxUrl: 2048, maxHeaders: 32, maxHeaderValue: 4096 } as const;

/** Headers the delivery sets itself: an action may not set them. */
const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'content-type',
  'content-length',
  'host',
  'connection',
  'transfer-encoding',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const HEADER_VALUE_BAD = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const HANDLER_NAME = /^[A-Za-z][A-Za-z0-9_.:-]{0,127}$/;
const CONNECTOR_ACTION = /^[a-z][a-z0-9_.-]{0,127}$/;

const FIELDS = {
  http: ['type', 'url', 'secret', 'format', 'headers'],
  handler: ['type', 'name'],
  connector: ['type', 'connection_id', 'action', 'input'],
} as const;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks an action's shape: `http` {url, secret?, format?, headers?}, `handler` {name}, `connector`
 * {connection_id, action, input?}. Whether a connector action's connection is the tenant's is checked by
 * the caller, which can look it up. Never throws.
 */
export function parseAction(input: unknown, at = 'action'): ActionResult {
  if (!isObject(input)) {
    return fail(fieldProblem(at, 'action_type', `an action is an object with a type, got ${shown(input)}`));
  }
  const type = input['type'];
  if (type !== 'http' && type !== 'handler' && type !== 'connector') {
    return fail(
      fieldProblem(
        `${at}.type`,
        'action_type_unknown',
        `type is one of http, handler, connector, got ${shown(type)}`,
      ),
    );
  }
  const problems: TriggerFieldProblem[] = [];
  const allowed: ReadonlyArray<string> = FIELDS[type];
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) {
      problems.push(
        fieldProblem(`${at}.${key}`, 'field_unknown', `a ${type} action has only ${allowed.join(', ')}`),
      );
    }
  }
  let parsed: ParsedAction | null = null;
  if (type === 'http') parsed = parseHttp(input, at, problems);
  else if (type === 'handler') parsed = parseHandler(input, at, problems);
  else parsed = parseConnector(input, at, problems);
  return problems.length === 0 && parsed !== null ? { ok: true, parsed } : { ok: false, problems };
}

function fail(problem: TriggerFieldProblem): ActionResult {
  return { ok: false, problems: [problem] };
}

function parseHttp(
  input: Record<string, unknown>,
  at: string,
  problems: TriggerFieldProblem[],
): ParsedAction | null {
  const url = input['url'];
  const urlProblem = checkUrl(url);
  if (urlProblem !== null) problems.push(fieldProblem(`${at}.url`, 'url_format', urlProblem));
  const secret = input['secret'];
  if (secret !== undefined && !isWebhookSecret(secret)) {
    problems.push(
      fieldProblem(
        `${at}.secret`,
        'secret_format',
        'a signing secret is "whsec_" followed by base64 of 24 to 64 bytes (Standard Webhooks); leave it out to have one generated',
      ),
    );
  }
  const format = input['format'];
  if (format !== undefined && !(DELIVERY_FORMATS as ReadonlyArray<unknown>).includes(format)) {
    problems.push(
      fieldProblem(
        `${at}.format`,
        'format_unknown',
        `format is one of ${DELIVERY_FORMATS.join(', ')}, got ${shown(format)}`,
      ),
    );
  }
  const headers = input['headers'];
  if (headers !== undefined) checkHeaders(headers, `${at}.headers`, problems);
  if (problems.length > 0 || typeof url !== 'string') return null;
  return {
    action: {
      type: 'http',
      url,
      ...(format === undefined ? {} : { format: format as (typeof DELIVERY_FORMATS)[number] }),
      ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
    },
    secret: typeof secret === 'string' ? secret : null,
  };
}

/** Why `url` is not an absolute http(s) URL a delivery may go to, or null. */
export function checkUrl(url: unknown): string | null {
  if (typeof url !== 'string' || url === '') return `url is an absolute http or https URL, got ${shown(url)}`;
  if (url.length > HTTP_ACTION_LIMITS.maxUrl) {
    return `url is at most ${HTTP_ACTION_LIMITS.maxUrl} characters, got ${url.length}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `url is an absolute http or https URL, got ${shown(url)}`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `url is an http or https URL, got the scheme ${shown(parsed.protocol.slice(0, -1))}`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'url may not carry credentials (user:password@); the delivery is signed with the trigger secret';
  }
  return null;
}

function checkHeaders(headers: unknown, at: string, problems: TriggerFieldProblem[]): void {
  if (!isObject(headers)) {
    problems.push(
      fieldProblem(at, 'headers_format', `headers is an object of strings, got ${shown(headers)}`),
    );
    return;
  }
  const entries = Object.entries(headers);
  if (entries.length > HTTP_ACTION_LIMITS.maxHeaders) {
    problems.push(
      fieldProblem(
        at,
        'headers_format',
        `at most ${HTTP_ACTION_LIMITS.maxHeaders} headers, got ${entries.length}`,
      ),
    );
    return;
  }
  for (const [name, value] of entries) {
    const path = `${at}.${name}`;
    if (!HEADER_NAME.test(name)) {
      problems.push(fieldProblem(path, 'headers_format', `${shown(name)} is not an HTTP header name`));
    } else if (RESERVED_HEADERS.has(name.toLowerCase())) {
      problems.push(fieldProblem(path, 'header_reserved', `the delivery sets ${name} itself`));
    } else if (
      typeof value !== 'string' ||
      value.length > HTTP_ACTION_LIMITS.maxHeaderValue ||
      HEADER_VALUE_BAD.test(value)
    ) {
      problems.push(
        fieldProblem(
          path,
          'headers_format',
          // The value is not shown: a header may carry a credential.
          `a header value is a string of at most ${HTTP_ACTION_LIMITS.maxHeaderValue} characters without control characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`,
        ),
      );
    }
  }
}

function parseHandler(
  input: Record<string, unknown>,
  at: string,
  problems: TriggerFieldProblem[],
): ParsedAction | null {
  const name = input['name'];
  if (typeof name !== 'string' || !HANDLER_NAME.test(name)) {
    problems.push(
      fieldProblem(
        `${at}.name`,
        'handler_name_format',
        `name is a registered handler's name (a letter, then letters, digits, _ . : -; at most 128), got ${shown(name)}`,
      ),
    );
    return null;
  }
  return { action: { type: 'handler', name }, secret: null };
}

function parseConnector(
  input: Record<string, unknown>,
  at: string,
  problems: TriggerFieldProblem[],
): ParsedAction | null {
  const connectionId = input['connection_id'];
  const action = input['action'];
  const actionInput = input['input'];
  if (typeof connectionId !== 'string' || connectionId === '') {
    problems.push(
      fieldProblem(
        `${at}.connection_id`,
        'connection_unknown',
        `connection_id names one of your connections, got ${shown(connectionId)}`,
      ),
    );
  }
  if (typeof action !== 'string' || !CONNECTOR_ACTION.test(action)) {
    problems.push(
      fieldProblem(
        `${at}.action`,
        'connector_action_format',
        `action is the name of an action the connector declares (lowercase, e.g. "create_ticket"), got ${shown(action)}`,
      ),
    );
  }
  if (actionInput !== undefined && !isObject(actionInput)) {
    problems.push(fieldProblem(`${at}.input`, 'input_type', `input is an object, got ${shown(actionInput)}`));
  }
  if (problems.length > 0 || typeof connectionId !== 'string' || typeof action !== 'string') return null;
  return {
    action: {
      type: 'connector',
      connection_id: connectionId,
      action,
      ...(actionInput === undefined ? {} : { input: actionInput as Record<string, unknown> }),
    },
    secret: null,
  };
}
