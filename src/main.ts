#!/usr/bin/env node
/**
 * The entry point of `rakelgw` (the package's bin, `npm start`, `npm run rakelgw`): one program for the
 * daemon (`rakelgw run`, src/app/daemon.ts), the demo and the technicians' commands (src/cli/).
 *
 *   src/main.ts ─► src/cli/main.ts (commands) ─► src/app/ (composition root: daemon, device factory)
 *                                              └► src/ (domain core, ports) ◄── adapters/ (one protocol each)
 *
 * `rakelgw run` forks the embedded broker's process before it imports the rest of the program, so the two
 * load side by side (adapters/mqtt/broker/broker-prefork.ts says why); hence the dynamic import below.
 */
import { preforkBrokerChild } from "../adapters/mqtt/broker/broker-prefork.js";

if (process.argv[2] === "run") preforkBrokerChild();
const { runAsProcess } = await import("./cli/main.js");
runAsProcess(process.argv);
