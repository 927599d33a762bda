import { homedir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultStateDir } from "../../../src/shared/state-dir.js";

describe("defaultStateDir", () => {
  it("defaults to the state directory: RAKELGW_STATE_DIR, systemd STATE_DIRECTORY, XDG_STATE_HOME", () => {
    expect(defaultStateDir({ RAKELGW_STATE_DIR: "/srv/gw" })).toBe("/srv/gw");
    expect(defaultStateDir({ STATE_DIRECTORY: "/var/lib/rakelgw:/other" })).toBe("/var/lib/rakelgw");
    expect(defaultStateDir({ XDG_STATE_HOME: "/home/t/.state" })).toBe("/home/t/.state/rakelgw");
  });

  it("RAKELGW_STATE_DIR wins over systemd's STATE_DIRECTORY; without either it is ~/.local/state/rakelgw", () => {
    expect(defaultStateDir({ RAKELGW_STATE_DIR: "/srv/gw", STATE_DIRECTORY: "/var/lib/rakelgw" })).toBe("/srv/gw");
    expect(defaultStateDir({ STATE_DIRECTORY: "/var/lib/rakelgw", XDG_STATE_HOME: "/x" })).toBe("/var/lib/rakelgw");
    expect(defaultStateDir({})).toBe(join(homedir(), ".local", "state", "rakelgw"));
  });

  it("the daemon (service) falls back to /var/lib/rakelgw, after the environment", () => {
    expect(defaultStateDir({}, { service: true })).toBe("/var/lib/rakelgw");
    expect(defaultStateDir({ XDG_STATE_HOME: "/x" }, { service: true })).toBe("/var/lib/rakelgw");
    expect(defaultStateDir({ STATE_DIRECTORY: "/var/lib/rakelgw-b" }, { service: true })).toBe("/var/lib/rakelgw-b");
    expect(defaultStateDir({ RAKELGW_STATE_DIR: "/srv/gw" }, { service: true })).toBe("/srv/gw");
  });
});
