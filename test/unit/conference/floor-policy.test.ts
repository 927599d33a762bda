import { describe, expect, it } from "vitest";
import { FloorPolicy, type FloorTerminal } from "../../../src/conference/floor-policy.js";
import type { FloorEvent, TerminalState } from "../../../src/ports/radio-terminal.js";
import { GatewayError } from "../../../src/shared/errors.js";
import { silentLogger } from "../../../src/shared/logger.js";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";
import { FakeClock } from "../../helpers/fake-clock.js";

type Ev = { floor: (e: FloorEvent) => void; state: (s: TerminalState) => void };

/** A terminal fake that records PTT commands; knobs make press/release fail. */
class FakeTerminal extends TypedEmitter<Ev> implements FloorTerminal {
  state: TerminalState = { identity: {}, callActive: false, selectedGroup: "1234" };
  readonly log: string[] = [];
  failPress = false;
  failRelease = 0;
  keyed = false;
  selectGroup(gssi: string): Promise<void> {
    this.log.push(`select ${gssi}`);
    this.state = { ...this.state, selectedGroup: gssi };
    return Promise.resolve();
  }
  pressPtt(gssi: string): Promise<void> {
    this.log.push(`press ${gssi}`);
    if (this.failPress) return Promise.reject(new GatewayError("AT_CME_ERROR", "busy"));
    this.keyed = true;
    return Promise.resolve();
  }
  releasePtt(): Promise<void> {
    this.log.push("release");
    if (this.failRelease > 0) {
      this.failRelease--;
      return Promise.reject(new GatewayError("AT_TIMEOUT", "no answer"));
    }
    this.keyed = false;
    return Promise.resolve();
  }
  floor(e: FloorEvent): void {
    this.emit("floor", e);
  }
}

async function setup(maxTransmitMs = 30000) {
  const clock = new FakeClock();
  const terminal = new FakeTerminal();
  const policy = new FloorPolicy({ terminal, terminalId: "t1", talkgroup: "9001", log: silentLogger(), clock, maxTransmitMs, dekeyRetryMs: 500 });
  await policy.start();
  return { clock, terminal, policy };
}

describe("FloorPolicy", () => {
  it("selects the patched group at start and again after another group was selected outside a call", async () => {
    const { terminal, clock } = await setup();
    expect(terminal.log).toEqual(["select 9001"]);
    await clock.tick(6000);
    terminal.state = { ...terminal.state, selectedGroup: "4444" };
    terminal.emit("state", terminal.state);
    await clock.tick(1);
    expect(terminal.log).toEqual(["select 9001", "select 9001"]);
    terminal.state = { ...terminal.state, selectedGroup: "5555", callActive: true };
    await clock.tick(6000);
    terminal.emit("state", terminal.state);
    expect(terminal.log).toHaveLength(2);
  });

  it("keys while the phone side speaks and the group is free; de-keys when it stops", async () => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.keyed).toBe(true);
    policy.phoneSpeech(false);
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
    expect(terminal.log.slice(1)).toEqual(["press 9001", "release"]);
  });

  it("never keys while the radio side holds the floor; keys once the floor is free again", async () => {
    const { terminal, policy, clock } = await setup();
    terminal.floor({ kind: "other-talking", cc: 1, talker: "2001" });
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.log).not.toContain("press 9001");
    terminal.floor({ kind: "ceased", cc: 1 });
    await clock.tick(1);
    expect(terminal.keyed).toBe(true);
  });

  it("de-keys at once when the radio side takes the floor", async () => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    await clock.tick(1);
    terminal.floor({ kind: "other-talking", cc: 1 });
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
    expect(policy.snapshot()).toMatchObject({ radioHoldsFloor: true, keyed: false });
  });

  it("transmit time limit: de-keys after maxTransmitMs and stays off until the phone side pauses", async () => {
    const { terminal, policy, clock } = await setup(10000);
    policy.phoneSpeech(true);
    await clock.tick(9999);
    expect(terminal.keyed).toBe(true);
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
    expect(policy.snapshot().lockedOut).toBe(true);
    terminal.floor({ kind: "ceased", cc: 1 });
    await clock.tick(1000);
    expect(terminal.keyed).toBe(false);
    policy.phoneSpeech(false);
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.keyed).toBe(true);
  });

  it.each([
    ["not granted", { kind: "not-granted", cc: 1, queued: false }],
    ["queued", { kind: "not-granted", cc: 1, queued: true }],
    ["interrupted", { kind: "interrupted", cc: 1 }],
    ["released", { kind: "released", cc: 1, cause: 14 }],
  ] as const)("de-keys when the transmission is %s", async (_, ev) => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.keyed).toBe(true);
    terminal.floor(ev);
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
    expect(terminal.log.at(-1)).toBe("release");
  });

  it("a failed key still de-keys (the terminal may have taken it)", async () => {
    const { terminal, policy, clock } = await setup();
    terminal.failPress = true;
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.log.slice(1)).toEqual(["press 9001", "release"]);
    expect(policy.snapshot().keyed).toBe(false);
  });

  it("a failed de-key is retried until the terminal takes it", async () => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    await clock.tick(1);
    terminal.failRelease = 2;
    policy.phoneSpeech(false);
    await clock.tick(1);
    expect(terminal.keyed).toBe(true);
    await clock.tick(1000);
    expect(terminal.keyed).toBe(false);
    expect(terminal.log.filter((l) => l === "release")).toHaveLength(3);
  });

  it("stop (leave, shutdown) de-keys and stops following the floor", async () => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    await clock.tick(1);
    await policy.stop();
    expect(terminal.keyed).toBe(false);
    terminal.floor({ kind: "ceased", cc: 1 });
    policy.phoneSpeech(true);
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
  });

  it("conditions that change while the key command is in flight de-key right after it", async () => {
    const { terminal, policy, clock } = await setup();
    policy.phoneSpeech(true);
    terminal.floor({ kind: "other-talking", cc: 1 });
    await clock.tick(1);
    expect(terminal.keyed).toBe(false);
    expect(terminal.log.slice(1)).toEqual(["press 9001", "release"]);
  });
});
