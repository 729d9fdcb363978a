/** Dotted `noun.verb` event types: `order.created`, `hvac.zone.fault`. */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

/** Stream keys: `lower_snake`, e.g. `customers`, `balance_transactions`. */
export const STREAM_KEY_PATTERN = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;

/** Source and connector ids: stable lowercase, `cn-magento`, `bacnet-gw-7`, `operator:jenny`. */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9._:-]{0,127}$/;

export const isEventType = (value: string): boolean => EVENT_TYPE_PATTERN.test(value);
export const isStreamKey = (value: string): boolean => STREAM_KEY_PATTERN.test(value);
export const isSourceId = (value: string): boolean => SOURCE_PATTERN.test(value);
