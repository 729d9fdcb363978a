/** The definition rules `defineConnector` enforces; the stable `rule` in an error's details. */
export type DefinitionRule =
  | 'connector_id_format'
  | 'connector_id_unique'
  | 'streams_declared'
  | 'stream_shape'
  | 'stream_key_format'
  | 'stream_key_unique'
  | 'stream_mode'
  | 'stream_events_empty'
  | 'event_type_format'
  | 'event_type_unique'
  | 'schedule_poll_only'
  | 'schedule_format'
  | 'poll_handler_missing'
  | 'poll_handler_unknown'
  | 'poll_handler_type'
  | 'webhook_verify_missing'
  | 'webhook_verify_scheme'
  | 'hmac_header_missing'
  | 'map_missing'
  | 'map_type'
  | 'secret_config_format'
  | 'changes_poll_only'
  | 'changes_shape'
  | 'changes_events_undeclared';

/** One broken rule of a connector definition. `stream` is null for connector-wide rules. */
export interface DefinitionProblem {
  readonly connector: string;
  readonly stream: string | null;
  readonly rule: DefinitionRule;
  /** `connector "cn-shop" stream "Orders": stream keys are lower_snake (e.g. "order_events")` */
  readonly message: string;
}

/** Builds a problem whose message names the connector, the stream (when there is one) and the rule. */
export function problem(
  connector: string,
  stream: string | null,
  rule: DefinitionRule,
  text: string,
): DefinitionProblem {
  const where =
    stream === null
      ? `connector ${JSON.stringify(connector)}`
      : `connector ${JSON.stringify(connector)} stream ${JSON.stringify(stream)}`;
  return { connector, stream, rule, message: `${where}: ${text}` };
}
