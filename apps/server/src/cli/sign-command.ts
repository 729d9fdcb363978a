import { readFile } from 'node:fs/promises';
import type { VerificationConfig, VerificationScheme } from '@sluice/core';
import { type Command, InvalidArgumentError } from 'commander';
import { withCli } from './cli-context.ts';
import { webhookConnector } from './connector-lookup.ts';

/** The verification schemes, every one (the compiler checks the list against the type). */
const SCHEMES = Object.keys({
  'hmac-sha256': true,
  'standard-webhooks': true,
  stripe: true,
  github: true,
  shopify: true,
  slack: true,
} satisfies Record<VerificationScheme, true>) as VerificationScheme[];

/** `sluice sign`: the headers a provider would send, to try the webhook routes with curl. */
export function registerSignCommand(program: Command): void {
  program
    .command('sign')
    .description('Print the headers a provider would send for a body, to try the webhook routes with curl.')
    .option(
      '--connector <id>',
      'sign the way this connector verifies (its scheme and headers), e.g. cloudevents or commerce-orders',
    )
    .option('--scheme <scheme>', `one of ${SCHEMES.join(', ')} (when no --connector)`, (value: string) => {
      if (!(SCHEMES as string[]).includes(value))
        throw new InvalidArgumentError(`Unknown scheme; use one of ${SCHEMES.join(', ')}.`);
      return value;
    })
    .requiredOption('--secret <secret>', "the connection's signing secret")
    .requiredOption('--body <file>', 'the exact body bytes to sign (a file path, or - for standard input)')
    .option('--header <name>', 'signature header for hmac-sha256', 'x-signature')
    .option('--timestamp-header <name>', 'timestamp header for hmac-sha256')
    .action(
      withCli(
        async (
          cli,
          options: {
            connector?: string;
            scheme?: string;
            secret: string;
            body: string;
            header: string;
            timestampHeader?: string;
          },
        ) => {
          const { signWebhook } = await import('@sluice/signatures');
          const config = await signingConfig(options);
          const rawBody = options.body === '-' ? await readStdin() : await readFile(options.body);
          const headers = signWebhook(config, { secret: options.secret, rawBody, nowMs: Date.now() });
          cli.out.result(headers, () =>
            Object.entries(headers)
              .map(([name, value]) => `${name}: ${value}\n`)
              .join(''),
          );
        },
      ),
    );
}

/** The verification a signature must pass: a shipped connector's own, or a scheme given by hand. */
async function signingConfig(options: {
  connector?: string;
  scheme?: string;
  header: string;
  timestampHeader?: string;
}): Promise<VerificationConfig> {
  if (options.connector !== undefined) return (await webhookConnector(options.connector)).verify;
  if (options.scheme === undefined)
    throw new InvalidArgumentError('Give --connector <id> or --scheme <scheme>.');
  return (
    options.scheme === 'hmac-sha256'
      ? {
          scheme: 'hmac-sha256',
          header: options.header,
          ...(options.timestampHeader === undefined ? {} : { timestampHeader: options.timestampHeader }),
        }
      : { scheme: options.scheme }
  ) as VerificationConfig;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
