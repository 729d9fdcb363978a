import { KindGuard } from '@sinclair/typebox';
import { type ApiAuth, type ConnectorSpec, isEventType } from '@sluice/core';
import { type DefinitionProblem, problem } from './definition-problem.ts';

/** What a header name may be (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

/**
 * The rules of a connector's actions: each named `noun.verb`, with a TypeBox input schema and a `run`
 * function; a connector that declares actions declares the `api` they call.
 */
export function checkActions(id: string, spec: ConnectorSpec): DefinitionProblem[] {
  const actions: unknown = spec.actions;
  if (actions === undefined) return [];
  if (!isRecord(actions)) {
    return [problem(id, null, 'actions_shape', 'actions must be an object keyed by action name')];
  }
  const problems: DefinitionProblem[] = [];
  for (const [name, action] of Object.entries(actions)) {
    const where = `action ${JSON.stringify(name)}`;
    if (!isEventType(name)) {
      problems.push(
        problem(
          id,
          null,
          'action_name_format',
          `${where}: action names are dotted lowercase noun.verb (e.g. "order.hold")`,
        ),
      );
    }
    if (!isRecord(action)) {
      problems.push(problem(id, null, 'actions_shape', `${where}: an action is an object {input, run}`));
      continue;
    }
    if (!KindGuard.IsSchema(action['input'])) {
      problems.push(
        problem(
          id,
          null,
          'action_input_schema',
          `${where}: input must be a TypeBox schema (e.g. Type.Object({ order_id: Type.String() }))`,
        ),
      );
    }
    if (typeof action['run'] !== 'function') {
      problems.push(
        problem(id, null, 'action_run_type', `${where}: run must be a function (ctx, input) => Promise`),
      );
    }
  }
  if (Object.keys(actions).length > 0 && spec.api === undefined) {
    problems.push(
      problem(
        id,
        null,
        'action_api_missing',
        'a connector with actions declares the api they call: { version, baseUrlConfigKey, auth }',
      ),
    );
  }
  return problems;
}

/**
 * The rules of a connector's `api`: a version, the config key of the base URL, and an auth whose
 * credential key is sealed (listed in `secretConfig`).
 */
export function checkApi(id: string, spec: ConnectorSpec): DefinitionProblem[] {
  const api: unknown = spec.api;
  if (api === undefined) return [];
  if (!isRecord(api)) {
    return [problem(id, null, 'api_shape', 'api must be an object { version, baseUrlConfigKey, auth }')];
  }
  const problems: DefinitionProblem[] = [];
  if (!nonEmpty(api['version']) || /[\s:]/.test(api['version'])) {
    problems.push(
      problem(
        id,
        null,
        'api_version_format',
        `api.version is the provider API version, non-empty without spaces or ':' (e.g. "2024-01"), got ${JSON.stringify(api['version'])}`,
      ),
    );
  }
  if (!nonEmpty(api['baseUrlConfigKey'])) {
    problems.push(
      problem(
        id,
        null,
        'api_base_url_key',
        'api.baseUrlConfigKey names the connection config key of the base URL (e.g. "base_url")',
      ),
    );
  }
  problems.push(...checkAuth(id, api['auth'], spec.secretConfig));
  for (const name of ['versionHeader'] as const) {
    if (api[name] !== undefined && !(nonEmpty(api[name]) && HEADER_NAME.test(api[name]))) {
      problems.push(problem(id, null, 'api_shape', `api.${name} must be a header name`));
    }
  }
  const headers = api['headers'];
  if (
    headers !== undefined &&
    !(
      isRecord(headers) &&
      Object.entries(headers).every(([k, v]) => HEADER_NAME.test(k) && typeof v === 'string')
    )
  ) {
    problems.push(problem(id, null, 'api_shape', 'api.headers must map header names to strings'));
  }
  return problems;
}

function checkAuth(id: string, auth: unknown, secretConfig: unknown): DefinitionProblem[] {
  const shape =
    'api.auth is { type: "bearer", configKey } | { type: "header", header, configKey } | { type: "none" }';
  if (!isRecord(auth)) return [problem(id, null, 'api_auth_shape', shape)];
  const typed = auth as Partial<Record<keyof ApiAuth | 'header' | 'configKey', unknown>>;
  if (typed.type === 'none') return [];
  const valid =
    (typed.type === 'bearer' || typed.type === 'header') &&
    nonEmpty(typed.configKey) &&
    (typed.type === 'bearer' || (nonEmpty(typed.header) && HEADER_NAME.test(typed.header)));
  if (!valid) return [problem(id, null, 'api_auth_shape', shape)];
  const sealed = Array.isArray(secretConfig) && secretConfig.includes(typed.configKey);
  return sealed
    ? []
    : [
        problem(
          id,
          null,
          'api_auth_not_sealed',
          `api.auth.configKey ${JSON.stringify(typed.configKey)} holds a credential: list it in secretConfig so it is sealed at rest`,
        ),
      ];
}
