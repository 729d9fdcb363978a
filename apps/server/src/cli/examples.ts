import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** One example delivery of a connector, from its replay fixture. */
export interface Example {
  /** The delivery's name in the fixture (`orders/create`). */
  readonly name: string;
  /** The name as one word for the command line (`orders-create`). */
  readonly slug: string;
  /** The fixture file it comes from. */
  readonly file: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes to send. */
  readonly body: string;
}

/** What a connector's fixtures hold: sendable deliveries, and poll-page fixtures that only replay. */
export interface ConnectorExamples {
  readonly deliveries: ReadonlyArray<Example>;
  readonly pageFixtures: ReadonlyArray<string>;
}

/** The shipped replay fixtures, beside the connectors' sources. */
export const EXAMPLES_DIR = fileURLToPath(new URL('../replay/', import.meta.resolve('@sluice/connectors')));

export const slugOf = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The examples of `connector` in the fixtures of `dir` (by default the shipped ones). */
export async function examplesOf(connector: string, dir: string = EXAMPLES_DIR): Promise<ConnectorExamples> {
  const deliveries: Example[] = [];
  const pageFixtures: string[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
    const file = `${dir}${name}`;
    const json = JSON.parse(await readFile(file, 'utf8')) as {
      connector?: unknown;
      deliveries?: ReadonlyArray<{ name?: string; headers?: Record<string, string>; body: unknown }>;
      pages?: unknown;
    };
    if (json.connector !== connector) continue;
    if (Array.isArray(json.pages)) pageFixtures.push(file);
    for (const [index, d] of (json.deliveries ?? []).entries()) {
      const exampleName = d.name ?? `#${index + 1}`;
      deliveries.push({
        name: exampleName,
        slug: slugOf(exampleName),
        file,
        headers: d.headers ?? {},
        body: typeof d.body === 'string' ? d.body : JSON.stringify(d.body),
      });
    }
  }
  return { deliveries, pageFixtures };
}

/** The example a command-line name means: its fixture name or its slug. */
export function findExample(examples: ReadonlyArray<Example>, asked: string): Example | undefined {
  return examples.find((e) => e.name === asked) ?? examples.find((e) => e.slug === slugOf(asked));
}
