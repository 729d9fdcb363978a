import type { Connector } from '@sluice/core';
import type { SecretBox } from './secret-box.ts';

type Config = Readonly<Record<string, unknown>>;

/** How a sealed config value is stored in the connection's `config` JSON. */
interface SealedValue {
  readonly $sealed: string;
}

const isSealed = (value: unknown): value is SealedValue =>
  typeof value === 'object' && value !== null && typeof (value as { $sealed?: unknown }).$sealed === 'string';

/** What the API shows in place of a sealed value. */
export const SEALED_PLACEHOLDER = '[sealed]';

const contextOf = (connectionId: string, key: string) => `${connectionId}:config:${key}`;

/**
 * The credentials among a connection's config (the keys its connector lists in `secretConfig`) sealed with
 * AES-256-GCM, bound to the connection and the key; everything else as given.
 */
export function sealConfig(
  box: SecretBox,
  connector: Connector,
  connectionId: string,
  config: Config,
): Config {
  const sealed: Record<string, unknown> = { ...config };
  for (const key of connector.secretConfig) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    sealed[key] = {
      $sealed: box.seal(JSON.stringify(value), contextOf(connectionId, key)),
    } satisfies SealedValue;
  }
  return sealed;
}

/** The config as the connector's code sees it: sealed values opened. */
export function openConfig(box: SecretBox, connectionId: string, config: Config): Config {
  const open: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    open[key] = isSealed(value) ? JSON.parse(box.open(value.$sealed, contextOf(connectionId, key))) : value;
  }
  return open;
}

/** The config as the API returns it: sealed values replaced by a placeholder, never the ciphertext. */
export function redactConfig(config: Config): Config {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config))
    shown[key] = isSealed(value) ? SEALED_PLACEHOLDER : value;
  return shown;
}
