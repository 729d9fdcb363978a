import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '@sluice/core';
import { checkConnectorId } from '@sluice/map';
import { pathExists } from './path-exists.ts';

/** The files `sluice connectors new` writes, relative to its directory. */
export interface ScaffoldedConnector {
  readonly id: string;
  readonly dir: string;
  /** The exported spec's name in the connector module, e.g. `acmeOrdersConnector`. */
  readonly exportName: string;
  readonly files: ReadonlyArray<string>;
}

/** `acme-orders` → `acmeOrders`; a leading digit gets a prefix, so the name is an identifier. */
function camelOf(id: string): string {
  const words = id.split(/[^a-zA-Z0-9]+/).filter((word) => word !== '');
  const camel = words
    .map((word, index) => (index === 0 ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join('');
  return /^[0-9]/.test(camel) ? `connector${camel}` : camel;
}

function connectorModule(id: string, name: string): string {
  return `import type { ConnectorSpec } from '@sluice/sdk';

/**
 * ${id}: the source POSTs one JSON delivery per change of a record, signed with HMAC-SHA256 (hex) of the
 * raw body in \`x-signature\` with the connection's secret:
 * \`{"id": "dlv_…", "type": "record.created" | "record.updated", "record": {"id": "…", "updated_at": "…", …}}\`.
 * Change the event types, the verification and the mapping to what your source really sends.
 */
export const ${name} = {
  id: '${id}',
  version: '0.1.0',
  description: '${id} records, pushed as signed webhooks',
  events: {
    'record.created': { kind: 'webhook', topic: 'record.created' },
    'record.updated': { kind: 'webhook', topic: 'record.updated' },
  },
  webhook: { verify: { scheme: 'hmac-sha256', header: 'x-signature', encoding: 'hex' } },
  // Pure: one verified delivery → emissions. The dedupe key comes from the source's own delivery id, so
  // a redelivery (or a replay of the fixture) is a duplicate, never a new event.
  map({ body }) {
    const delivery = body as {
      id?: unknown;
      type?: unknown;
      record?: { id?: unknown; updated_at?: unknown } & Record<string, unknown>;
    };
    if (typeof delivery.id !== 'string' || delivery.record === undefined) return null;
    const record = delivery.record;
    return {
      source: '${id}',
      event_type: delivery.type === 'record.updated' ? 'record.updated' : 'record.created',
      dedupe_key: \`${id}:\${delivery.id}\`,
      occurred_at: typeof record.updated_at === 'string' ? record.updated_at : null,
      payload: { entity: { kind: 'record', id: String(record.id) }, record },
    };
  },
} satisfies ConnectorSpec;
`;
}

function connectorTest(id: string, name: string): string {
  return `import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defineConnector, type Emission, runMapping } from '@sluice/sdk';
import { ${name} } from './${id}-connector.ts';

interface Delivery {
  readonly name: string;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

const fixture = JSON.parse(readFileSync(new URL('./replay/${id}.json', import.meta.url), 'utf8')) as {
  connector: string;
  deliveries: Delivery[];
};
const connector = defineConnector(${name});

function mapped(delivery: Delivery): ReadonlyArray<Emission> {
  const result = runMapping(connector, {
    body: delivery.body,
    rawBody: Buffer.from(JSON.stringify(delivery.body)),
    headers: delivery.headers ?? {},
    config: {},
    connectionId: 'con_test',
    tenantId: 'ten_test',
  });
  assert.ok(result.ok, \`\${delivery.name}: \${result.ok ? '' : result.error.message}\`);
  return result.emissions;
}

describe('${id} connector', () => {
  it('is a valid definition, and the fixture is its own', () => {
    assert.equal(connector.id, '${id}');
    assert.equal(fixture.connector, connector.id);
  });

  it('maps every recorded delivery to a declared event about one record', () => {
    for (const delivery of fixture.deliveries) {
      const emissions = mapped(delivery);
      assert.equal(emissions.length, 1, delivery.name);
      const [emission] = emissions;
      assert.ok(connector.eventTypes.has(emission?.event_type ?? ''), \`\${delivery.name}: declared type\`);
      assert.equal((emission?.payload['entity'] as { kind: string }).kind, 'record');
    }
  });

  it('gives the same dedupe keys on a second pass, so a replay emits nothing new', () => {
    const keys = () => fixture.deliveries.flatMap((delivery) => mapped(delivery).map((e) => e.dedupe_key));
    const first = keys();
    assert.equal(new Set(first).size, first.length, 'one key per delivery');
    assert.deepEqual(keys(), first);
  });
});
`;
}

function fixtureOf(id: string): string {
  const deliveries = [
    {
      name: 'record created',
      body: {
        id: 'dlv_0001',
        type: 'record.created',
        record: { id: 'r-42', name: 'First record', updated_at: '2026-01-05T09:30:00.000Z' },
      },
    },
    {
      name: 'record updated',
      body: {
        id: 'dlv_0002',
        type: 'record.updated',
        record: { id: 'r-42', name: 'First record, renamed', updated_at: '2026-01-05T10:02:00.000Z' },
      },
    },
  ];
  return `${JSON.stringify({ connector: id, deliveries }, null, 2)}\n`;
}

/**
 * Writes a connector (its spec, using only `@sluice/sdk`), a replay fixture of two deliveries in the
 * shape `sluice dev replay --twice` reads, and a test that passes as written, into `dir`.
 * @throws SluiceError `connector_definition_invalid` for an id the connector rules refuse, or
 *   `conflict` when one of the files exists (nothing is overwritten, nothing written).
 */
export async function scaffoldConnector(id: string, dir: string): Promise<ScaffoldedConnector> {
  const [problem] = checkConnectorId(id);
  if (problem !== undefined) {
    throw new SluiceError('connector_definition_invalid', problem.message, {
      details: { connector: id, stream: null, rule: problem.rule, problems: [problem] },
    });
  }
  const name = `${camelOf(id)}Connector`;
  const files: Array<[string, string]> = [
    [`${id}-connector.ts`, connectorModule(id, name)],
    [`${id}-connector.test.ts`, connectorTest(id, name)],
    [join('replay', `${id}.json`), fixtureOf(id)],
  ];
  for (const [file] of files) {
    if (await pathExists(join(dir, file))) {
      throw new SluiceError('conflict', `${join(dir, file)} exists; choose another --dir or remove it.`);
    }
  }
  await mkdir(join(dir, 'replay'), { recursive: true });
  for (const [file, text] of files) await writeFile(join(dir, file), text, { flag: 'wx' });
  return { id, dir, exportName: name, files: files.map(([file]) => file) };
}
