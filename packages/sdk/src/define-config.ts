import type { Connector, ConnectorSpec } from '@sluice/core';
import type { Operator, OperatorSpec } from '@sluice/execute';

/**
 * What `sluice.config.ts` exports (as its default export): the connectors and operators a server serves
 * beside the shipped ones. Give specs rather than defined connectors where you can: the server then
 * checks every one of them at start-up and reports every broken rule of every definition at once,
 * naming the file.
 */
export interface SluiceConfig {
  /** Connector specs (or connectors made by `defineConnector`); ids must not clash with shipped ones. */
  readonly connectors?: ReadonlyArray<ConnectorSpec | Connector>;
  /** Operators, run by triggers whose action is `{type: "handler", name}`. */
  readonly operators?: ReadonlyArray<OperatorSpec | Operator>;
}

/** Types a config file's default export; it returns `config` unchanged (the server validates it). */
export function defineConfig(config: SluiceConfig): SluiceConfig {
  return config;
}
