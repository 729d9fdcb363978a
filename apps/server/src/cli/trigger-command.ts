import type { VerificationConfig } from '@sluice/core';
import type { Command } from 'commander';
import type { ApiClient } from './api-client.ts';
import { errorOf } from './api-client.ts';
import { type Cli, withCli } from './cli-context.ts';
import { shippedConnector } from './connector-lookup.ts';
import { type Example, examplesOf, findExample } from './examples.ts';

interface IngestAnswer {
  readonly status: 'ok' | 'dead_lettered' | 'answered';
  readonly connection_id: string;
  readonly accepted?: number;
  readonly duplicates?: number;
  readonly results?: ReadonlyArray<{ index: number; status: string; event_id: string }>;
  readonly dead_letter_id?: string;
  readonly failure?: { stage: string; message: string };
  readonly code?: number;
  readonly answer?: unknown;
}

/** The tenant's one active connection of `connector`, when `--connection` names none. */
async function connectionFor(client: ApiClient, connector: string): Promise<string> {
  const { items } = await client.request<{ items: Array<{ id: string; name: string }> }>(
    'GET',
    '/api/v1/connections',
    { query: { connector_id: connector, status: 'active' } },
  );
  const [first] = items;
  if (first === undefined) {
    throw new Error(
      `The tenant has no active ${connector} connection; create one with \`sluice connections create ${connector}\`.`,
    );
  }
  if (items.length > 1) {
    throw new Error(
      `The tenant has ${items.length} active ${connector} connections; name one with --connection: ${items.map((c) => `${c.id} (${c.name})`).join(', ')}.`,
    );
  }
  return first.id;
}

/** Signs `example` here with `secret` and posts it to the connection's ingest URL, as the provider would. */
async function sendSigned(
  client: ApiClient,
  connection: string,
  example: Example,
  verify: VerificationConfig,
  secret: string,
): Promise<IngestAnswer> {
  const { signWebhook } = await import('@sluice/signatures');
  const rawBody = Buffer.from(example.body);
  const headers = {
    'content-type': 'application/json',
    ...Object.fromEntries(Object.entries(example.headers).map(([k, v]) => [k.toLowerCase(), v])),
    ...signWebhook(verify, { secret, rawBody, nowMs: Date.now() }),
  };
  const path = `/api/v1/ingest/${encodeURIComponent(connection)}`;
  const response = await client.fetch(client.url(path), { method: 'POST', headers, body: rawBody });
  const text = await response.text();
  const body = (() => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  })();
  if (!response.ok) throw errorOf(response.status, body, `POST ${path}`);
  return typeof body === 'string'
    ? { status: 'answered', connection_id: connection, code: response.status, answer: body }
    : (body as IngestAnswer);
}

function answerText(cli: Cli, example: Example, answer: IngestAnswer): string {
  const c = cli.out.color;
  if (answer.status === 'dead_lettered') {
    return `${c.yellow('dead-lettered')} ${example.name} on ${answer.connection_id}: ${answer.dead_letter_id} (${answer.failure?.stage}: ${answer.failure?.message})\n`;
  }
  if (answer.status === 'answered') {
    return `${example.name} on ${answer.connection_id}: answered ${answer.code} ${JSON.stringify(answer.answer)} (a handshake; nothing stored)\n`;
  }
  const lines = [
    `${c.green('sent')} ${example.name} to ${answer.connection_id}: ${answer.accepted} accepted, ${answer.duplicates} duplicates`,
    ...(answer.results ?? []).map(
      (r) => `  ${r.status === 'accepted' ? 'accepted ' : 'duplicate'}  ${r.event_id}`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** `sluice trigger <connector> [example]`: a correctly signed example delivery, or the list of examples. */
export function registerTriggerCommand(program: Command): void {
  program
    .command('trigger <connector> [example]')
    .description(
      "Send a connector's example delivery, correctly signed, to a connection of the tenant; without an example, list them.",
    )
    .option(
      '--connection <id>',
      "the connection to send to (default: the tenant's only one of the connector)",
    )
    .option(
      '--secret <secret>',
      "sign here with the connection's secret and post to its ingest URL (default: the server signs it)",
    )
    .action(
      withCli(
        async (
          cli,
          connectorId: string,
          exampleName: string | undefined,
          options: { connection?: string; secret?: string },
        ) => {
          const connector = await shippedConnector(connectorId);
          const { deliveries, pageFixtures } = await examplesOf(connector.id);
          if (exampleName === undefined) {
            cli.out.result(
              { connector: connector.id, examples: deliveries, page_fixtures: pageFixtures },
              () => {
                const lines = [
                  `Examples of ${connector.id}${connector.webhook === null ? ' (it receives no webhooks: replay them with `sluice dev replay --twice <file>`)' : ''}:`,
                ];
                const width = Math.max(0, ...deliveries.map((d) => d.slug.length));
                for (const d of deliveries)
                  lines.push(`  ${d.slug.padEnd(width)}  ${cli.out.color.dim(d.name)}`);
                if (deliveries.length === 0) lines.push('  (no example deliveries)');
                for (const file of pageFixtures) lines.push(`Recorded poll pages: ${file}`);
                return `${lines.join('\n')}\n`;
              },
            );
            return 0;
          }
          const example = findExample(deliveries, exampleName);
          if (example === undefined) {
            throw new Error(
              `${connector.id} has no example "${exampleName}"; it has ${deliveries.map((d) => d.slug).join(', ') || 'none'}.`,
            );
          }
          if (connector.webhook === null) {
            throw new Error(
              `Connector "${connector.id}" receives no webhooks, so its examples cannot be sent; replay them with \`sluice dev replay --twice ${example.file}\`.`,
            );
          }
          // A signed delivery to an ingest URL needs no API key; finding the connection does.
          const client = await cli.client({
            keyless: options.secret !== undefined && options.connection !== undefined,
          });
          const connection = options.connection ?? (await connectionFor(client, connector.id));
          const answer =
            options.secret === undefined
              ? await client.request<IngestAnswer>(
                  'POST',
                  `/api/v1/connections/${encodeURIComponent(connection)}/test-deliveries`,
                  { body: { body: example.body, headers: example.headers } },
                )
              : await sendSigned(client, connection, example, connector.webhook.verify, options.secret);
          cli.out.result(answer, () => answerText(cli, example, answer));
          return answer.status === 'dead_lettered' ? 1 : 0;
        },
      ),
    );
}
