import type {
  ApiKeyRecord,
  Connection,
  ConnectionSecret,
  DeadLetter,
  Envelope,
  Tenant,
  Workspace,
} from '@sluice/core';

type Row = Record<string, unknown>;

/** ISO 8601 with ms from a driver's timestamp (a Date, or a string from some drivers). */
export function iso(value: unknown): string {
  return (value instanceof Date ? value : new Date(String(value))).toISOString();
}

export function isoOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : iso(value);
}

const text = (value: unknown): string => String(value);
const textOrNull = (value: unknown): string | null =>
  value === null || value === undefined ? null : String(value);

export function toEnvelope(row: Row): Envelope {
  return {
    event_id: text(row['event_id']),
    reseller_id: textOrNull(row['reseller_id']),
    tenant_id: text(row['tenant_id']),
    workspace_id: textOrNull(row['workspace_id']),
    connection_id: text(row['connection_id']),
    source: text(row['source']),
    event_type: text(row['event_type']),
    stream: text(row['stream']),
    dedupe_key: text(row['dedupe_key']),
    correlation_id: text(row['correlation_id']),
    causation_id: textOrNull(row['causation_id']),
    trace_id: text(row['trace_id']),
    occurred_at: isoOrNull(row['occurred_at']),
    received_at: iso(row['received_at']),
    mode: row['mode'] === 'quiet' ? 'quiet' : 'live',
    schema_version: text(row['schema_version']),
    payload: row['payload'] as Record<string, unknown>,
    agent_id: textOrNull(row['agent_id']),
    session_id: textOrNull(row['session_id']),
    cloudevent: (row['cloudevent'] ?? null) as Envelope['cloudevent'],
  };
}

export function toTenant(row: Row): Tenant {
  return {
    id: text(row['id']),
    name: text(row['name']),
    reseller_id: textOrNull(row['reseller_id']),
    unmatched_events: row['unmatched_events'] === 'dead_letter' ? 'dead_letter' : 'drop',
    dead_letter_alert_threshold:
      row['dead_letter_alert_threshold'] === null || row['dead_letter_alert_threshold'] === undefined
        ? null
        : Number(row['dead_letter_alert_threshold']),
    timezone: typeof row['timezone'] === 'string' ? row['timezone'] : 'UTC',
    allowed_actions: Array.isArray(row['allowed_actions'])
      ? (row['allowed_actions'] as unknown[]).map(String)
      : null,
    dry_run: row['dry_run'] === true,
    created_at: iso(row['created_at']),
  };
}

export function toWorkspace(row: Row): Workspace {
  return {
    id: text(row['id']),
    tenant_id: text(row['tenant_id']),
    name: text(row['name']),
    created_at: iso(row['created_at']),
  };
}

export function toApiKey(row: Row): ApiKeyRecord {
  return {
    id: text(row['id']),
    tenant_id: text(row['tenant_id']),
    name: text(row['name']),
    prefix: text(row['prefix']),
    created_at: iso(row['created_at']),
    revoked_at: isoOrNull(row['revoked_at']),
  };
}

export function toConnection(row: Row): Connection {
  return {
    id: text(row['id']),
    tenant_id: text(row['tenant_id']),
    reseller_id: textOrNull(row['reseller_id']),
    workspace_id: textOrNull(row['workspace_id']),
    connector_id: text(row['connector_id']),
    name: text(row['name']),
    config: (row['config'] ?? {}) as Record<string, unknown>,
    status: row['status'] === 'retired' ? 'retired' : 'active',
    rate_limit:
      row['rate_per_second'] === null || row['rate_per_second'] === undefined
        ? null
        : { per_second: Number(row['rate_per_second']), burst: Number(row['rate_burst']) },
    created_at: iso(row['created_at']),
    retired_at: isoOrNull(row['retired_at']),
  };
}

export function toSecret(row: Row): ConnectionSecret {
  return {
    id: text(row['id']),
    connection_id: text(row['connection_id']),
    ciphertext: text(row['ciphertext']),
    created_at: iso(row['created_at']),
    expires_at: isoOrNull(row['expires_at']),
  };
}

export function toDeadLetter(row: Row): DeadLetter {
  const status = row['status'];
  return {
    id: text(row['id']),
    tenant_id: text(row['tenant_id']),
    kind: row['kind'] === 'job' ? 'job' : 'ingest',
    job_id: textOrNull(row['job_id']),
    connector: text(row['connector']),
    connection_id: textOrNull(row['connection_id']),
    event_payload: row['event_payload'] as DeadLetter['event_payload'],
    error_message: text(row['error_message']),
    error_context: (row['error_context'] ?? {}) as Record<string, unknown>,
    created_at: iso(row['created_at']),
    retry_count: Number(row['retry_count']),
    status: status === 'replayed' || status === 'expired' ? status : 'pending',
  };
}
