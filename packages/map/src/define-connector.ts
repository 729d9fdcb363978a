import type { Connector, ConnectorSpec, StreamDeclaration } from '@sluice/core';
import { SluiceError } from '@sluice/core';
import { checkChangeDetection } from './change-rules.ts';
import {
  checkConnectorId,
  checkPollHandlers,
  checkSecretConfig,
  checkStreams,
  checkWebhook,
} from './connector-rules.ts';
import type { DefinitionProblem } from './definition-problem.ts';
import { normalizeStreams } from './normalize-streams.ts';
import { SealedMap } from './sealed-map.ts';

/**
 * Validates a connector definition and returns the frozen, normalized connector.
 *
 * Both declaration styles are accepted: `events` (a record keyed by event type, one stream each, the key
 * derived by replacing '.' with '_') or `streams` (a list, each with its `events`). Every broken rule is
 * reported at once.
 *
 * @throws SluiceError `connector_definition_invalid` whose message names the connector, the stream and
 *   the rule of each problem, e.g. `connector "cn-shop" stream "Orders": stream keys are lower_snake
 *   (e.g. "order_events")`; `details` = `{ connector, stream, rule, problems }` (the first problem's
 *   stream and rule, then all of them).
 */
export function defineConnector(spec: ConnectorSpec): Connector {
  if (typeof spec !== 'object' || spec === null) {
    throw new SluiceError('connector_definition_invalid', 'a connector definition must be an object', {
      details: { connector: null, stream: null, rule: 'stream_shape', problems: [] },
    });
  }
  const id = String(spec.id);
  const { streams: drafts, problems: shapeProblems } = normalizeStreams(spec);
  const problems: DefinitionProblem[] = [
    ...checkConnectorId(spec.id),
    ...shapeProblems,
    ...checkStreams(id, drafts),
    ...checkPollHandlers(id, drafts, spec.poll),
    ...checkWebhook(id, drafts, spec),
    ...checkSecretConfig(id, spec.secretConfig),
    ...checkChangeDetection(id, drafts),
  ];
  const first = problems[0];
  if (first !== undefined) {
    throw new SluiceError('connector_definition_invalid', problems.map((p) => p.message).join('; '), {
      details: { connector: id, stream: first.stream, rule: first.rule, problems },
    });
  }

  const streams = drafts.map(({ declaration }) => freezeStream(declaration));
  const eventTypes = new SealedMap(
    streams.flatMap((stream) => stream.events.map((eventType) => [eventType, stream.key] as const)),
  );
  const webhook =
    spec.webhook === undefined
      ? null
      : Object.freeze({
          verify: Object.freeze({ ...spec.webhook.verify }),
          cloudevents: spec.webhook.cloudevents ?? false,
        });
  return Object.freeze({
    id,
    version: spec.version ?? '0.0.0',
    description: spec.description ?? '',
    streams: Object.freeze(streams),
    eventTypes,
    webhook,
    map: spec.map ?? null,
    poll: Object.freeze({ ...spec.poll }),
    probe: spec.probe ?? null,
    secretConfig: Object.freeze([...(spec.secretConfig ?? [])]),
  });
}

function freezeStream(declaration: StreamDeclaration): StreamDeclaration {
  return Object.freeze({
    ...declaration,
    events: Object.freeze([...declaration.events]),
    ...(declaration.changes === undefined
      ? {}
      : {
          changes: Object.freeze({
            ...declaration.changes,
            ...(declaration.changes.ignore_fields === undefined
              ? {}
              : { ignore_fields: Object.freeze([...declaration.changes.ignore_fields]) }),
          }),
        }),
  });
}
