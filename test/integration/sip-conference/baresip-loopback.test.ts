import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SimTerminal } from "../../../adapters/rakel-pei/sim/index.js";
import type { BaresipAgent } from "../../../adapters/sip-conference/baresip-agent.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { conferenceState, startLoopback, type Loopback } from "../../helpers/sip-loopback.js";

/**
 * End to end with real SIP on loopback (issue 11 "Tests"): the gateway's baresip dials a second baresip
 * acting as the bridge; the bridge's own events say which DTMF keys arrived. Needs baresip-core (CI
 * installs it; .ci/run).
 */
function hasBaresip(): boolean {
  try {
    execFileSync("baresip", ["-h"], { stdio: "ignore" });
    return true;
  } catch (err) {
    return (err as { status?: number }).status !== undefined;
  }
}

describe.runIf(hasBaresip() || process.env["CI"])("conferences over real SIP (baresip on loopback)", () => {
  let lb: Loopback;
  const state = (id: string) => conferenceState(lb, id)?.["state"];

  beforeAll(async () => {
    lb = await startLoopback(silentLogger());
  }, 60_000);
  afterAll(async () => {
    await lb?.stop();
  });

  it("every configured conference starts idle (conference/status)", async () => {
    const r = await lb.request("conference/status", {});
    const list = (r["data"] as { conferences: { id: string; state: string }[] }).conferences;
    expect(list.map((c) => [c.id, c.state])).toEqual([
      ["rsk", "idle"],
      ["lsk", "idle"],
      ["tyst", "idle"],
    ]);
  });

  it("joins: the bridge receives exactly the configured PIN, then in-conference", async () => {
    const r = await lb.request("conference/join", { conference: "rsk" });
    expect(r["status"]).toBe("ok");
    expect((r["data"] as Record<string, unknown>)["state"]).toBe("dialling");
    await lb.until(() => (state("rsk") === "in-conference" && lb.digits.get("conf1") === "4711#" ? true : undefined), 15000, "rsk in-conference and the PIN at the bridge");
    // Nothing more follows: exactly the PIN, no repeated or extra keys.
    await new Promise((r) => setTimeout(r, 500));
    expect(lb.digits.get("conf1")).toBe("4711#");
    expect(JSON.stringify([...lb.retained.values()])).not.toContain("4711");
  });

  it("talk-group patch: the simulated terminal is keyed while the bridge side speaks and de-keyed when it pauses", async () => {
    expect(conferenceState(lb, "rsk")?.["patchedTalkgroup"]).toBe("9001");
    // The device factory hands out the simulator behind a narrow interface; this test reads its floor.
    const sim = lb.gw.terminalSimulators.get("t1") as unknown as SimTerminal;
    await lb.until(() => (sim.selectedGroup === "9001" ? true : undefined), 5000, "group 9001 selected");
    await lb.until(() => (sim.talker === "us" ? true : undefined), 10000, "terminal keyed by the phone side's speech");
    await lb.until(() => (sim.talker === undefined ? true : undefined), 10000, "terminal de-keyed in the pause");
  });

  it("two conferences in parallel, each with its own call and PIN (the second from an environment variable)", async () => {
    await lb.request("conference/join", { conference: "lsk" });
    await lb.until(() => (state("lsk") === "in-conference" && lb.digits.get("conf2") === "*2580#" ? true : undefined), 15000, `lsk in-conference with its PIN at the bridge (got ${lb.digits.get("conf2")})`);
    expect(state("rsk")).toBe("in-conference");
    expect(lb.digits.get("conf2")).toBe("*2580#");
    expect(lb.digits.get("conf1")).toBe("4711#");
  });

  it("a third conference is refused with SIP_CONFERENCE_LIMIT", async () => {
    const r = await lb.request("conference/join", { conference: "tyst" });
    expect(r["status"]).toBe("error");
    expect((r["error"] as Record<string, unknown>)["code"]).toBe("SIP_CONFERENCE_LIMIT");
  });

  it("the bridge hanging up mid-call: ended, then rejoined (PIN sent again)", async () => {
    const seen: string[] = [];
    const off = setInterval(() => {
      const s = String(state("rsk"));
      if (seen.at(-1) !== s) seen.push(s);
    }, 5);
    lb.digits.set("conf1", "");
    await lb.bridge.hangup("conf1");
    await lb.until(() => (seen.includes("ended") && state("rsk") === "in-conference" && lb.digits.get("conf1") === "4711#" ? true : undefined), 15000, "rsk ended and rejoined");
    clearInterval(off);
    expect(seen).toContain("ended");
    expect(lb.digits.get("conf1")).toBe("4711#");
  });

  it("leave hangs up and goes idle; the bridge sees the call closed", async () => {
    const r = await lb.request("conference/leave", { conference: "lsk" });
    expect((r["data"] as Record<string, unknown>)["state"]).toBe("idle");
    await lb.until(() => (lb.bridgeEvents.some((e) => e.line === "conf2" && e.type === "CALL_CLOSED") ? true : undefined), 5000, "bridge CALL_CLOSED on conf2");
    expect(state("lsk")).toBe("idle");
  });

  it("a bridge that does not answer: retried, then failed with the reason", async () => {
    const r = await lb.request("conference/join", { conference: "tyst" });
    expect(r["status"]).toBe("ok");
    await lb.until(() => (state("tyst") === "failed" ? true : undefined), 20000, "tyst failed");
    expect(String(conferenceState(lb, "tyst")?.["detail"])).toMatch(/no answer/);
    expect(lb.bridgeEvents.filter((e) => e.line === "silent" && e.type === "CALL_INCOMING").length).toBe(2);
  });

  it("baresip killed: link goes down and comes back (supervision), the conference is rejoined", async () => {
    const agent = lb.gw.sipBridge as BaresipAgent;
    const pid = agent.pid!;
    const linkStates: string[] = [];
    const off = setInterval(() => {
      const s = String(lb.retained.get("rakelgw/siptest/links/sip-baresip")?.["state"]);
      if (linkStates.at(-1) !== s) linkStates.push(s);
    }, 5);
    process.kill(pid, "SIGKILL");
    await lb.until(() => (linkStates.includes("disconnected") ? true : undefined), 5000, "link disconnected");
    await lb.until(() => (agent.pid !== undefined && agent.pid !== pid && agent.health.state === "ready" ? true : undefined), 15000, "agent restarted");
    await lb.until(() => (state("rsk") === "in-conference" ? true : undefined), 20000, "rsk rejoined");
    clearInterval(off);
    expect(linkStates.at(-1)).toBe("ready");
    expect(agent.restarts).toBe(1);
  });
});
