/**
 * Simulated Rakel terminal (TETRA PEI, EN 300 392-5): the device end of a byte link, for `npm start`,
 * integration tests and `rakelgw simulate terminal --link PATH` (every piece of hardware has a simulator in the repository).
 */
export { SimTerminal } from "./sim-terminal.js";
export type { InjectTextOptions, SimTerminalOptions } from "./sim-terminal.js";
export type { SimTerminalEvents } from "./sim-events.js";
export { DEFAULT_SIM_CONFIG, isDmoMode, ownItsi, resolveSimConfig, ssiOf, toTsi } from "./sim-config.js";
export type { SimPeerBehaviour, SimTalkGroup, SimTerminalConfig } from "./sim-config.js";
export { DEFAULT_FAULTS } from "./sim-faults.js";
export type { SimFaults, SimLineEnding } from "./sim-faults.js";
export { cme, error, finalText, ok } from "./behaviour.js";
export type { RadioDisplayItem, SentSds, ServiceKey, SimBehaviour, SimCommand, SimContext, SimFinal, SimReply } from "./behaviour.js";
export type { ParsedCommand, CommandForm } from "../../shared-kits/simulator/command-line.js";
export { LAYER1, RoutingTable, SERVICE } from "./routing-table.js";
export type { Registration, Route, ServiceProfile } from "./routing-table.js";
export { DESTINATION_NOT_REGISTERED, planReports } from "./peers.js";
export type { PlannedReport } from "./peers.js";
export { encodeLipShortReport, LIP_SHORT_REPORT_PDU_BITS } from "./lip-encode.js";
export type { LipOptions } from "./lip-encode.js";
export { runOnPty } from "../../shared-kits/simulator/pty-runner.js";
export type { AttachableSimulator, PtySession, RunOnPtyOptions } from "../../shared-kits/simulator/pty-runner.js";
export type { TerminalState, CallState, IndexRange } from "./terminal-state.js";
