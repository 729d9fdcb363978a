export { backoffMs } from './backoff.ts';
export { Relay, type RelayOptions } from './relay.ts';
export { type RelayPass, type RelayPassOptions, relayPass } from './relay-pass.ts';
export { WakeUp } from './wake-up.ts';
