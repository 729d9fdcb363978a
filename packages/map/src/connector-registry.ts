import type { Connector } from '@sluice/core';
import { PLATFORM_CONNECTOR_ID, SluiceError } from '@sluice/core';
import { didYouMean } from './near-names.ts';

/** The connectors a process knows, by id, in registration order. */
export class ConnectorRegistry {
  readonly #connectors = new Map<string, Connector>();

  constructor(connectors: Iterable<Connector> = []) {
    for (const connector of connectors) this.register(connector);
  }

  /**
   * Adds a connector made by `defineConnector`.
   * @throws SluiceError `connector_definition_invalid` when a connector with that id is registered.
   */
  register(connector: Connector): Connector {
    if (this.#connectors.has(connector.id)) {
      throw new SluiceError(
        'connector_definition_invalid',
        `connector "${connector.id}": a connector with this id is already registered; connector ids are unique`,
        { details: { connector: connector.id, stream: null, rule: 'connector_id_unique' } },
      );
    }
    this.#connectors.set(connector.id, connector);
    return connector;
  }

  /** The connector with this id, or null. */
  get(id: string): Connector | null {
    return this.#connectors.get(id) ?? null;
  }

  /**
   * The connector with this id.
   * @throws SluiceError `connector_not_found` when none is registered.
   */
  require(id: string): Connector {
    const connector = this.#connectors.get(id);
    if (connector === undefined) {
      throw new SluiceError('connector_not_found', this.notFound(id), {
        details: { connector: id },
      });
    }
    return connector;
  }

  /** Says that no source connector `id` is registered, and which registered ids are near it. */
  notFound(id: string): string {
    const ids = [...this.#connectors.keys()].filter((known) => known !== PLATFORM_CONNECTOR_ID);
    return `No connector "${id}" is registered.${didYouMean(id, ids)}`;
  }

  /** Every registered connector, in registration order. */
  list(): ReadonlyArray<Connector> {
    return [...this.#connectors.values()];
  }
}
