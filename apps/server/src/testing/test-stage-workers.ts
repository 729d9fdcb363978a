import type { Bus } from '@sluice/core';
import { StageWorkers, type StageWorkersOptions } from '../services/stage-workers.ts';
import type { TestApp } from './test-app.ts';

/** The stage workers of a test app over `bus`, quiet, with `config` over the app's own. */
export function testStageWorkers(
  t: TestApp,
  bus: Bus,
  config: Partial<StageWorkersOptions['config']>,
): StageWorkers {
  return new StageWorkers({
    config: { ...t.config, ...config },
    store: t.store,
    changes: t.ctx.changes,
    metrics: t.ctx.metrics,
    log: { warn: () => {} },
    bus,
    secretBox: t.ctx.secretBox,
    fact: (tenantId, event) => t.ctx.platform.fact(tenantId, event),
  });
}
