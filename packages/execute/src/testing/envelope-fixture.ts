import { Buffer } from 'node:buffer';
import type { Envelope } from '@sluice/core';

/** An envelope as the router hands it to the executor; `overrides` replace fields. */
export function envelopeFixture(overrides: Partial<Envelope> = {}): Envelope {
  return {
    event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abc',
    reseller_id: null,
    tenant_id: 'ten_01',
    workspace_id: 'wsp_01',
    connection_id: 'con_01',
    source: 'cn-sensors',
    event_type: 'reading.recorded',
    stream: 'readings',
    dedupe_key: 'sensors:reading:r-42',
    correlation_id: 'corr-1',
    causation_id: null,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    occurred_at: '2026-06-11T09:03:02Z',
    received_at: '2026-06-11T09:03:02.123Z',
    mode: 'live',
    schema_version: '1',
    payload: {
      entity: { kind: 'device', id: 'dev-7' },
      device_id: 'dev-7',
      id: 'r-42',
      celsius: 21.5,
      note: 'Grüße 😀',
    },
    agent_id: null,
    session_id: null,
    cloudevent: null,
    ...overrides,
  };
}

/** A `whsec_` secret for tests (24 fixed bytes). */
export const TEST_SECRET = `whsec_${Buffer.from('sluice-test-secret-24-by').toString('base64')}`;
