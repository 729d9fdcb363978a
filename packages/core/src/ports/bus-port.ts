import type { EnvelopeMode } from '../envelope.ts';
import type { Origin } from '../trigger.ts';
import type { Position } from './event-log-port.ts';

/**
 * Every bus topic, one per context: source envelopes, and the platform events of each context.
 * Adding a topic is one entry here.
 */
export const BUS_TOPICS = [
  'envelopes',
  'connections',
  'providers',
  'webhooks',
  'runs',
  'credentials',
] as const;

export type BusTopic = (typeof BUS_TOPICS)[number];

/**
 * The filterable attributes every message mirrors outside its body, so consumers filter without parsing it:
 * the envelope's own, plus where it came from and where it sits in commit order (from its outbox row).
 */
export interface BusAttributes {
  readonly event_id: string;
  readonly event_type: string;
  readonly tenant_id: string;
  readonly connection_id: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly schema_version: string;
  readonly mode: EnvelopeMode;
  /** Where the envelope came from; it decides the default priority of the jobs it causes. */
  readonly origin: Origin;
  /** The envelope's commit position; the jobs it causes carry it. */
  readonly position: Position;
  /** The relay span's W3C `traceparent`, so the consumer's span continues the trace; absent when off. */
  readonly traceparent?: string;
  /** When the relay published it, epoch ms (the router's relayed → job created latency). */
  readonly relayed_at?: number;
}

/** What a publisher hands the bus. */
export interface BusMessage {
  /**
   * The partition key (the connection id for envelopes). Messages with one key land on one partition and are
   * delivered in publish order within a consumer group.
   */
  readonly key: string;
  readonly attributes: BusAttributes;
  /** The envelope as JSON text; the bus never parses it. */
  readonly body: string;
}

/** A message as a consumer receives it. */
export interface DeliveredMessage extends BusMessage {
  /** The transport's id of this entry (a stream entry id on Redis); increases within a partition. */
  readonly id: string;
  /**
   * True when the entry was delivered before and not acknowledged (a failed handler, or a consumer that died
   * or stopped): the handler may have seen it already.
   */
  readonly redelivered: boolean;
}

/** Messages of one partition, in publish order. */
export interface BusBatch {
  readonly topic: BusTopic;
  readonly partition: number;
  readonly messages: ReadonlyArray<DeliveredMessage>;
}

export interface ConsumeOptions {
  /**
   * The consumer group: every group receives every message once (at least once); within a group each
   * message goes to one consumer.
   */
  readonly group: string;
  /** This consumer's name, unique within the group at any moment (e.g. host and process id). */
  readonly consumer: string;
  readonly topic: BusTopic;
  /**
   * Called with the messages of one partition in order. Resolving acknowledges the whole batch; throwing
   * leaves it pending, to be delivered again (first, before anything later of that partition). Called
   * concurrently for different partitions, never for the same partition.
   */
  readonly handler: (batch: BusBatch) => Promise<void>;
  /** Most messages in one batch; 100 by default. */
  readonly batchSize?: number;
  /** How long one read waits for new messages, in ms; 1,000 by default. Bounds how soon `stop` returns. */
  readonly blockMs?: number;
  /** How long a partition rests after its handler threw or the transport failed, in ms; 1,000 by default. */
  readonly retryDelayMs?: number;
  /** Told of every handler failure and transport error; the consumer carries on. */
  readonly onError?: (error: unknown) => void;
}

/** A running consumer: it owns some partitions of its topic in its group, and reads them in order. */
export interface Consumer {
  /** The partitions this consumer holds a lease on right now, ascending. */
  partitions(): ReadonlyArray<number>;
  /**
   * Stops reading, lets the batches in flight finish (acknowledged if their handler resolves), and gives up
   * the leases so other consumers of the group take over at once.
   */
  stop(): Promise<void>;
}

/**
 * The bus between the relay and its consumers (routers, projections). A transport, not a system of record:
 * delivery is at least once, and order is kept per partition key within a group.
 */
export interface Bus {
  /**
   * Publishes `messages` in order. Resolves only after the transport accepted every one of them; on a
   * rejection some may have been accepted, so the caller publishes the batch again (at least once).
   */
  publish(topic: BusTopic, messages: ReadonlyArray<BusMessage>): Promise<void>;
  /** Starts a consumer; it runs until stopped or the bus is closed. */
  consume(options: ConsumeOptions): Consumer;
  /** Stops every consumer started here, then releases the transport. */
  close(): Promise<void>;
}
