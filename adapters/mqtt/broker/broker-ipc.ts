import type { BrokerRuntimeConfig, BrokerStats } from "./broker-server.js";

/** Messages between the gateway (parent) and the broker process (broker-child.ts) over the fork IPC channel. */
export type ToBroker =
  | { type: "start"; config: BrokerRuntimeConfig; logLevel: string; logFd: 1 | 2 }
  | { type: "stats"; id: number }
  | { type: "reload"; id: number }
  | { type: "intake-done"; id: number; error?: string }
  | { type: "stop" };

/** Messages from the broker process to the gateway. */
export type FromBroker =
  | { type: "ready"; ports: Record<string, number> }
  | { type: "failed"; message: string; code?: string; errno?: string }
  | { type: "stats"; id: number; stats: BrokerStats }
  | { type: "reloaded"; id: number; error?: string }
  /** A publish on a held topic (BrokerRuntimeConfig.holdFilters): PUBACKed only after `intake-done`. */
  | { type: "intake"; id: number; topic: string; payload: string; qos: number; retain: boolean };
