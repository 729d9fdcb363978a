import { readFile } from 'node:fs/promises';
import type { Connector } from '@sluice/core';
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

/** `sluice dev replay --twice <fixture>`: 0 when the second pass emitted nothing, 1 otherwise. */
export async function runReplay(
  file: string,
  connectors: ReadonlyArray<Connector>,
  out: { write(text: string): void },
): Promise<number> {
  const fixture = parseReplayFixture(JSON.parse(await readFile(file, 'utf8')));
  const report = await replayTwice(fixture, connectors);
  out.write(replayText(file, report));
  return report.offenders.length === 0 ? 0 : 1;
}
