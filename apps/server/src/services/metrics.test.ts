import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from './metrics.ts';

describe('Metrics', () => {
  it('exposes process metrics under their standard names beside the sluice_ ones', async () => {
    const metrics = new Metrics();
    metrics.httpRequests.observe({ route: '/healthz', method: 'GET', status: '200' }, 0.001);
    const text = await metrics.registry.metrics();
    assert.match(text, /^sluice_http_request_duration_seconds_count\{.*route="\/healthz".*\} 1$/m);
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(text, new RegExp(`^${name} `, 'm'), name);
    }
    assert.doesNotMatch(text, /^sluice_(process|nodejs)_/m, 'process metrics are not renamed');
  });
});
