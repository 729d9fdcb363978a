import type { DeadLetter, DeadLetterKind, DeadLetterStatus } from '../dead-letter.ts';
import type { AppendInput, Page, PageRequest } from './event-log-port.ts';

export interface NewDeadLetter {
  /** Chosen by the caller when a platform event commits with it and must name it; generated otherwise. */
  readonly id?: string;
  readonly tenant_id: string;
  /** `ingest` when absent. */
  readonly kind?: DeadLetterKind;
  /** The failed job, for `kind: 'job'`. */
  readonly job_id?: string | null;
  readonly connector: string;
  readonly connection_id: string | null;
  readonly event_payload: DeadLetter['event_payload'];
  readonly error_message: string;
  readonly error_context: Readonly<Record<string, unknown>>;
}

/** Dead letters, every read and write scoped by tenant. */
export interface DeadLetterStore {
  /** Stores a dead letter; `facts` (its platform events) commit with it or not at all. */
  create(input: NewDeadLetter, facts?: ReadonlyArray<AppendInput>): Promise<DeadLetter>;
  get(tenantId: string, id: string): Promise<DeadLetter | null>;
  list(
    tenantId: string,
    filter: { readonly status?: DeadLetterStatus },
    page: PageRequest,
  ): Promise<Page<DeadLetter>>;
  /** Deletes a dead letter for good (purge); false when the tenant has no such dead letter. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Counts a replay attempt and sets the status it ended in. */
  recordReplay(
    tenantId: string,
    id: string,
    status: DeadLetterStatus,
    error?: string,
  ): Promise<DeadLetter | null>;
}
