import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The tiers of `npm test`; test/perf (floods, wall-clock limits) has its own config: vitest.perf.config.ts.
    include: ["test/{unit,integration,e2e}/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open pseudo-terminals and child processes; two workers match the 2-core CI box.
    pool: "forks",
    maxWorkers: 2,
  },
});
