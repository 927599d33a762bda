#!/usr/bin/env node
/**
 * The entry point of `rakelgw` (the package's bin, `npm start`, `npm run rakelgw`): one program for the
 * daemon (`rakelgw run`, src/app/daemon.ts), the demo and the technicians' commands (src/cli/).
 *
 *   src/main.ts ─► src/cli/main.ts (commands) ─► src/app/ (composition root: daemon, device factory)
 *                                              └► src/ (domain core, ports) ◄── adapters/ (one protocol each)
 */
import { runAsProcess } from "./cli/main.js";

runAsProcess(process.argv);
