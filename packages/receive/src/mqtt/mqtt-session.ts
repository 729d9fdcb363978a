import { lazyModule } from '@sluice/core';
import type { IClientOptions, MqttClient } from 'mqtt';
import { type Backoff, backoffDelay } from './backoff.ts';
import type { MqttSessionConfig } from './mqtt-session-config.ts';

/** mqtt.js, loaded with the first session: a process with no MQTT connection never needs it. */
const mqttClient = lazyModule<typeof import('mqtt')>(import.meta.url, 'mqtt');

/** Handles one message; resolves true once it is committed (acknowledge it), false to leave it unacknowledged. */
export type MessageHandler = (topic: string, payload: Buffer, qos: number) => Promise<boolean>;

export interface SessionEvents {
  onConnect?(sessionPresent: boolean): void;
  onOffline?(nextAttemptMs: number): void;
  /** The broker granted the subscriptions of a connect. */
  onSubscribed?(): void;
  onError?(error: Error): void;
}

export interface MqttSessionOptions {
  /** Stable across restarts: the broker keeps the session (subscriptions, unacknowledged messages) under it. */
  readonly clientId: string;
  readonly config: MqttSessionConfig;
  readonly backoff: Backoff;
  readonly handle: MessageHandler;
  readonly events?: SessionEvents;
  readonly connectTimeoutMs?: number;
  readonly keepaliveSeconds?: number;
  /** How long the broker keeps the session (and queues messages) while no client holds it; default 7 days. */
  readonly sessionExpirySeconds?: number;
}

/** A gateway down for a week still finds its session, and the readings queued meanwhile, when it is back. */
export const DEFAULT_SESSION_EXPIRY_SECONDS = 7 * 24 * 3600;

/**
 * One persistent MQTT session (`clean: false`): it subscribes to the connection's topic filters and hands
 * each message to `handle`, one at a time, acknowledging (PUBACK, or PUBREC for QoS 2) only after the
 * handler says the message is committed. A message left unacknowledged drops the connection, so the
 * broker sends it again after the reconnect. Reconnects back off exponentially up to a cap and start over
 * after a successful connect.
 */
export class MqttSession {
  readonly #options: MqttSessionOptions;
  readonly #client: MqttClient;
  #attempt = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** Counts connections: an acknowledgement belongs to the connection its message came on. */
  #generation = 0;

  constructor(options: MqttSessionOptions) {
    this.#options = options;
    const { config } = options;
    const clientOptions: IClientOptions = {
      clientId: options.clientId,
      clean: false,
      // MQTT 5: mqtt.js honours customHandleAcks only there, and a session outlives a disconnect only for
      // as long as its expiry interval says.
      protocolVersion: 5,
      properties: { sessionExpiryInterval: options.sessionExpirySeconds ?? DEFAULT_SESSION_EXPIRY_SECONDS },
      // Reconnects are this class's, with backoff; mqtt.js would retry at a fixed period.
      reconnectPeriod: 0,
      resubscribe: false,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      keepalive: options.keepaliveSeconds ?? 30,
      ...(config.username === null ? {} : { username: config.username }),
      ...(config.password === null ? {} : { password: config.password }),
      customHandleAcks: (topic, message, packet, done) => {
        const generation = this.#generation;
        this.#handle(topic, message, packet.qos).then((committed) => {
          // A message of a connection that has since dropped is not acknowledged on the next one: the
          // broker sends it again there, and its dedupe key makes it a duplicate.
          if (committed && generation === this.#generation) done(0);
          else if (generation === this.#generation) this.#dropForRedelivery();
        });
      },
    };
    this.#client = mqttClient().connect(config.brokerUrl, clientOptions);
    this.#client.on('connect', (connack) => {
      this.#attempt = 0;
      options.events?.onConnect?.(connack.sessionPresent);
      const topics = Object.fromEntries(config.topics.map((topic) => [topic, { qos: config.qos }]));
      this.#client.subscribe(topics, (error) => {
        if (error) options.events?.onError?.(error);
        else options.events?.onSubscribed?.();
      });
    });
    // QoS 0 messages have no acknowledgement and never reach customHandleAcks.
    this.#client.on('message', (topic, message, packet) => {
      if (packet.qos === 0) void this.#handle(topic, message, 0);
    });
    this.#client.on('error', (error) => options.events?.onError?.(error));
    this.#client.on('close', () => {
      this.#generation += 1;
      this.#scheduleReconnect();
    });
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.#client.connected;
  }

  /** Disconnects cleanly (the session stays on the broker) and stops reconnecting. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#client.endAsync(!this.#client.connected);
  }

  async #handle(topic: string, payload: Buffer, qos: number): Promise<boolean> {
    try {
      return await this.#options.handle(topic, payload, qos);
    } catch (error) {
      this.#options.events?.onError?.(error as Error);
      return false;
    }
  }

  /** Closes the socket without a DISCONNECT: the broker keeps the unacknowledged message and resends it. */
  #dropForRedelivery(): void {
    this.#client.stream?.destroy();
  }

  #scheduleReconnect(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const delay = backoffDelay(this.#options.backoff, this.#attempt);
    this.#attempt += 1;
    this.#options.events?.onOffline?.(delay);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#stopped) this.#client.reconnect();
    }, delay);
  }
}
