import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests open pseudo-terminals and child processes; two workers match the 2-core CI box.
    pool: "forks",
    maxWorkers: 2,
  },
});
