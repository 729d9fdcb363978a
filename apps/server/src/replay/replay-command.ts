import { readFile } from 'node:fs/promises';
import type { Connector } from '@sluice/core';
import { loadConfig } from '../config.ts';
import { loadExtensions } from '../extensions/config-file.ts';
import { parseReplayFixture } from './replay-fixture.ts';
import { type ReplayReport, replayTwice } from './replay-twice.ts';

/** The report's text: a pass line, or a failure naming each payload the second pass emitted from. */
export function replayText(file: string, report: ReplayReport): string {
  if (report.offenders.length === 0) {
    return `${file}: ${report.connector}: first pass emitted ${report.first}, second pass emitted 0 — idempotent\n`;
  }
  const lines = report.offenders.map(
    (o) =>
      `  ${o.payload}: ${o.emitted.map((e) => `${e.event_type} (dedupe_key ${e.dedupe_key})`).join(', ')}`,
  );
  return `${file}: ${report.connector}: the second pass emitted ${report.second} envelopes; their dedupe keys change between runs:\n${lines.join('\n')}\n`;
}

/**
 * `sluice dev replay --twice <fixture>`: 0 when the second pass emitted nothing, 1 otherwise. The
 * connectors of the config file (`SLUICE_CONFIG`, else `sluice.config.ts` in `cwd`) are replayable too.
 */
export async function runReplay(
  file: string,
  connectors: ReadonlyArray<Connector>,
  out: { write(text: string): void },
  options: { readonly configFile?: string | null; readonly cwd?: string } = {},
): Promise<number> {
  const fixture = parseReplayFixture(JSON.parse(await readFile(file, 'utf8')));
  const extensions = await loadExtensions({
    configured: options.configFile === undefined ? loadConfig().configFile : options.configFile,
    cwd: options.cwd ?? process.cwd(),
    reservedConnectorIds: connectors.map((connector) => connector.id),
  });
  const report = await replayTwice(fixture, [...connectors, ...extensions.connectors]);
  out.write(replayText(file, report));
  return report.offenders.length === 0 ? 0 : 1;
}
