import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MALLOC_ENV, withMallocDefaults } from "../../../src/shared/malloc-env.js";

describe("the gateway's malloc settings", () => {
  it("fill in what the environment lacks and keep an operator's own values", () => {
    const env = withMallocDefaults({ PATH: "/bin", MALLOC_ARENA_MAX: "8" });
    expect(env).toEqual({ PATH: "/bin", MALLOC_ARENA_MAX: "8", MALLOC_MMAP_THRESHOLD_: "1048576" });
    expect(withMallocDefaults({})).toEqual({ MALLOC_ARENA_MAX: "2", MALLOC_MMAP_THRESHOLD_: "1048576" });
  });

  it("are the ones the systemd unit gives the daemon, so the soak proof measures what the service runs", () => {
    const unit = readFileSync(new URL("../../../systemd/rakelgw.service", import.meta.url), "utf8");
    const assignments = unit
      .split("\n")
      .filter((l) => l.startsWith("Environment="))
      .flatMap((l) => l.slice("Environment=".length).trim().split(/\s+/));
    const fromUnit = Object.fromEntries(assignments.map((a) => a.split("=") as [string, string]).filter(([k]) => k.startsWith("MALLOC_")));
    expect(fromUnit).toEqual({ ...MALLOC_ENV });
  });
});
