import sinon from "sinon";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { encodeSdsTlText } from "../../../adapters/rakel-pei/sds/index.js";
import { SimTerminal, cme, type SimTerminalConfig } from "../../../adapters/rakel-pei/sim/index.js";
import { RawClient, initLikeGateway } from "./raw-client.js";

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

async function setup(config: Partial<SimTerminalConfig> = {}): Promise<{ sim: SimTerminal; port: MemoryPort; c: RawClient }> {
  const sim = new SimTerminal({ config: { airDelayMs: 5, reportDelayMs: 10, registrationDelayMs: 30, ...config } });
  const port = new MemoryPort("radio");
  sim.servePort(port);
  const c = await RawClient.open(port);
  stops.push(() => sim.stop());
  return { sim, port, c };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const hej = encodeSdsTlText("Hej", { messageReference: 5, group: false });

describe("SimTerminal fault knobs", () => {
  it("echo: keeps echoing after ATE0", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ echo: true });
    expect(await c.command("AT+CTOM?")).toEqual(["AT+CTOM?", "+CTOM: 0", "OK"]);
  });

  it("lineEnding: frames answers with CR only or LF only", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ lineEnding: "cr" });
    c.raw = "";
    expect(await c.command("AT+CSQ")).toEqual(["+CSQ: 22,99", "OK"]);
    expect(c.raw).toBe("\r+CSQ: 22,99\r\rOK\r");
    sim.setFaults({ lineEnding: "lf" });
    c.raw = "";
    expect(await c.command("AT")).toEqual(["OK"]);
    expect(c.raw).toBe("\nOK\n");
  });

  it("byteByByte: writes every byte on its own and the lines still assemble", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ byteByByte: true });
    c.chunks = 0;
    expect(await c.command("AT+CTOM?")).toEqual(["+CTOM: 0", "OK"]);
    await c.quiet(10); // the LF after the final OK
    expect(c.chunks).toBe("\r\n+CTOM: 0\r\n\r\nOK\r\n".length);
  });

  it("urcInsideResponse: an incoming SDS lands between +CMGS: 0 and OK", async () => {
    const { sim, c } = await setup();
    await initLikeGateway(c, ["1,3,130"]);
    await c.command("AT+CTSDS=12,0,0,0,0");
    sim.setFaults({ urcInsideResponse: true });
    sim.injectText("2005555", "Mitt i", { messageReference: 0x21 });
    expect(await c.quiet(10)).toEqual([]);
    await c.write(`AT+CMGS=2001235,${hej.bits}\r\r\n${hej.hex}\x1a`);
    const lines = await c.until((l) => l === "OK");
    expect(lines).toEqual(["+CMGS: 0", "+CTSDSR: 12,2005555,0,2001234,0,80", "82002101" + Buffer.from("Mitt i", "latin1").toString("hex").toUpperCase(), "OK"]);
  });

  it("urcInsideResponse: a held line is written anyway when no response comes", async () => {
    const { sim, c } = await setup();
    await initLikeGateway(c, ["1,1,11"]);
    sim.setFaults({ urcInsideResponse: true, urcHoldMs: 20 });
    sim.frontPanelSelect("9002");
    expect(await c.next(500)).toBe("+CTGS: 1,02400500100009002");
  });

  it("answerDelayMs: answers late", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ answerDelayMs: 60 });
    const t0 = Date.now();
    expect(await c.command("AT")).toEqual(["OK"]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50);
  });

  it("dropNextAnswers: ignores the next commands entirely", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ dropNextAnswers: 2 });
    await c.write("AT+CTGS=1,9002\r");
    await c.write("AT\r");
    expect(await c.quiet(30)).toEqual([]);
    expect(sim.selectedGroup).toBe("9001");
    expect(await c.command("AT")).toEqual(["OK"]);
  });

  it("busyNext: answers CME 42 without acting", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ busyNext: 2 });
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["+CME ERROR: 42"]);
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["+CME ERROR: 42"]);
    expect(sim.selectedGroup).toBe("9001");
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["OK"]);
  });

  it("garbageBeforeAnswer: puts junk and a partial line in front of the next answer", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ garbageBeforeAnswer: 1 });
    expect(await c.command("AT")).toEqual(["\xff#~*GARB", "OK"]);
    expect(await c.command("AT")).toEqual(["OK"]);
  });

  it("syntaxErrorsAtStart: answers CME 35 to the first commands after power-up, again after a reboot", async () => {
    const { sim, c } = await setup({ faults: { syntaxErrorsAtStart: 2 } });
    expect(await c.command("AT")).toEqual(["AT", "+CME ERROR: 35"]);
    expect(await c.command("AT")).toEqual(["AT", "+CME ERROR: 35"]);
    expect(await c.command("AT")).toEqual(["AT", "OK"]);
    await sim.reboot(5);
    expect(await c.command("AT")).toEqual(["AT", "+CME ERROR: 35"]);
  });

  it("prompt: sends '> ' after AT+CMGS= and still takes the data", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ prompt: true });
    await c.write(`AT+CMGS=2001235,${hej.bits}\r\r\n${hej.hex}\x1a`);
    expect(await c.until((l) => l === "OK")).toEqual(["+CMGS: 0", "OK"]);
    expect(c.prompts).toBe(1);
  });

  it("airFailNext: reports the next transmission as failed", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setFaults({ airFailNext: 1 });
    for (const expected of ["+CMGS: 0,5,5", "+CMGS: 0,4,5"]) {
      await c.write(`AT+CMGS=2001235,${hej.bits}\r\r\n${hej.hex}\x1a`);
      expect(await c.until((l) => l.startsWith("+CMGS: 0,"))).toEqual(["+CMGS: 0", "OK", expected]);
    }
  });

  it("a test behaviour in front of the chain scripts a firmware quirk", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    const off = sim.defineBehaviour({ name: "ech-port", onCommand: (cmd) => (cmd.name === "+CNUMF" ? cme(4) : undefined) });
    expect(await c.command("AT+CNUMF?")).toEqual(["+CME ERROR: 4"]);
    off();
    expect((await c.command("AT+CNUMF?"))[0]).toMatch(/^\+CNUMF: 6,/);
  });
});

describe("SimTerminal power and cable", () => {
  it("reboot: goes silent, then comes back with echo on, routing and +CREG reporting lost, default group", async () => {
    const { sim, c } = await setup();
    const power: string[] = [];
    sim.on("power", (p) => power.push(p));
    await initLikeGateway(c, ["1,3,130", "1,1,11"]);
    await c.command("AT+CREG=2");
    await c.command("AT+CTGS=1,9002");
    await c.next();
    const rebooted = sim.reboot(40);
    await c.write("AT\r");
    expect(await c.quiet(20)).toEqual([]);
    await rebooted;
    expect(power).toEqual(["off", "on"]);
    expect(await c.command("AT")).toEqual(["AT", "OK"]);
    await c.command("ATE0");
    expect(await c.command("AT+CTSP?")).toEqual(["OK"]);
    expect(await c.command("AT+CREG?")).toEqual(["+CREG: 0,2", "OK"]);
    expect(await c.command("AT+CTGS?")).toEqual(["+CTGS: 1,02400500100009001", "OK"]);
    await sleep(50);
    expect(await c.quiet(5)).toEqual([]);
    expect(await c.command("AT+CREG?")).toEqual(["+CREG: 0,1", "OK"]);
    sim.injectText("2005555", "Efter omstart");
    expect(await c.quiet(20)).toEqual([]);
    expect(sim.shownOnRadio.at(-1)?.text).toBe("Efter omstart");
  });

  it("reboot: sends +CREG when the host re-enabled it before registration completes", async () => {
    const { sim, c } = await setup({ registrationDelayMs: 40 });
    await sim.reboot(5);
    await c.command("ATE0");
    await c.command("AT+CREG=1");
    expect(await c.next(500)).toBe("+CREG: 1");
  });

  it("unplug and replug: serves the new connection with its state intact", async () => {
    const { sim, port, c } = await setup();
    const conns: string[] = [];
    sim.on("connection", (s) => conns.push(s));
    await initLikeGateway(c, ["1,3,130"]);
    await c.command("AT+CTGS=1,9002");
    port.unplug();
    await expect(port.factory()).rejects.toMatchObject({ code: "LINK_OPEN_FAILED" });
    sim.injectText("2005555", "Medan urkopplad");
    port.replug();
    const c2 = await RawClient.open(port);
    expect(await c2.command("AT")).toEqual(["OK"]);
    expect(await c2.command("AT+CTSP?")).toEqual(["+CTSP: 1,3,130", "OK"]);
    expect(await c2.command("AT+CTGS?")).toEqual(["+CTGS: 1,02400500100009002", "OK"]);
    sim.injectText("2005555", "Tillbaka");
    expect(await c2.next()).toMatch(/^\+CTSDSR: 12,2005555,0,2001234,0,/);
    expect(conns).toEqual(["detached", "attached"]);
  });

  it("runs on sinon fake timers with the default delays", async () => {
    const clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      const sim = new SimTerminal();
      stops.push(() => sim.stop());
      const port = new MemoryPort("radio");
      sim.servePort(port);
      const c = await RawClient.open(port);
      await initLikeGateway(c, ["2,3,130"]);
      const pdu = encodeSdsTlText("Hej", { messageReference: 9, group: false, deliveryReport: "received" });
      await c.write(`AT+CMGS=2001235,${pdu.bits}\r\r\n${pdu.hex}\x1a`);
      expect(await c.until((l) => l === "OK")).toEqual(["+CMGS: 0", "OK"]);
      await clock.tickAsync(49);
      expect(c.unread()).toEqual([]);
      await clock.tickAsync(1);
      expect(await c.next()).toBe("+CMGS: 0,4,9");
      await clock.tickAsync(200);
      expect(await c.until((l) => l === "82100009")).toHaveLength(2);
    } finally {
      clock.restore();
    }
  });
});
