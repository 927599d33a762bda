import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DAEMON_V8_FLAGS } from "../../../src/app/daemon-v8-flags.js";

describe("the daemon's V8 flags", () => {
  it("are the ones the systemd unit starts the daemon with, so the soak proof measures what the service runs", () => {
    const unit = readFileSync(new URL("../../../systemd/rakelgw.service", import.meta.url), "utf8");
    const execStart = unit.split("\n").find((l) => l.startsWith("ExecStart="));
    expect(execStart).toBeDefined();
    const words = (execStart ?? "").slice("ExecStart=".length).split(/\s+/);
    const script = words.findIndex((w) => w.endsWith("/main.js"));
    expect(words[0]).toBe("/usr/bin/node");
    expect(words.slice(1, script)).toEqual([...DAEMON_V8_FLAGS]);
  });
});
