import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * `npm run test:perf`: floods and wall-clock limits (test/perf). One file at a time, so the timings measure
 * the gateway and not a neighbouring test; not part of `npm test`, whose results must not depend on how
 * fast or busy the machine is. (Spread, not mergeConfig: merging would append to the base `include`.)
 */
export default defineConfig({
  ...base,
  test: { ...base.test, include: ["test/perf/**/*.test.ts"], maxWorkers: 1, fileParallelism: false },
});
