/**
 * `node bench/jobs-case.ts [--quick] [--runs N] [--profile DIR]`: the jobs case of `npm run bench` alone,
 * N times (1 by default), one line per run with the load average — for before/after pairs run back to
 * back. `--profile DIR` runs the executor process with `--cpu-prof` into DIR and times its statements
 * (`statement-timing.ts`) into `DIR/statements-<run>.txt`.
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { jobThroughput } from './pipeline-cases.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const flagValue = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at === -1 ? undefined : args[at + 1];
};
const runs = Number(flagValue('--runs') ?? 1);
const profile = flagValue('--profile');
const timing = new URL('./statement-timing.ts', import.meta.url).pathname;

for (let run = 1; run <= runs; run++) {
  const before = loadavg()[0] ?? Number.NaN;
  const executorEnv =
    profile === undefined
      ? {}
      : {
          NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${resolve(profile)} --import ${timing}`,
          BENCH_STATEMENT_LOG: join(resolve(profile), `statements-${run}.txt`),
        };
  const figures = await jobThroughput({ quick, executorEnv });
  const after = loadavg()[0] ?? Number.NaN;
  process.stdout.write(
    `run ${run}: ${figures.jobsPerSecond.toFixed(0)} jobs/s, ${figures.cpuMsPerJob.toFixed(3)} CPU ms/job, ` +
      `${figures.delivered} delivered, load ${before.toFixed(1)} → ${after.toFixed(1)}\n`,
  );
}
