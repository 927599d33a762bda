import type { Proof } from "../run.js";
import { clock } from "./clock.js";
import { crash } from "./crash.js";
import { deviceLoss } from "./device-loss.js";
import { hostile } from "./hostile.js";
import { powerCut } from "./power-cut.js";
import { shutdown } from "./shutdown.js";
import { stateFiles } from "./state-files.js";
import { soak } from "./soak.js";

/** Every proof by its `npm run proof -- <name>` name. */
export const PROOFS: Record<string, Proof> = {
  crash,
  "device-loss": deviceLoss,
  "power-cut": powerCut,
  hostile,
  clock,
  shutdown,
  "state-files": stateFiles,
  soak,
};
