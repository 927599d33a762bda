import { afterEach, describe, expect, it } from "vitest";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { SimTerminal, type SimTerminalConfig } from "../../../adapters/rakel-pei/sim/index.js";
import { RawClient } from "./raw-client.js";

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

async function setup(config: Partial<SimTerminalConfig> = {}): Promise<{ sim: SimTerminal; port: MemoryPort; c: RawClient }> {
  const sim = new SimTerminal({ config });
  const port = new MemoryPort("radio");
  sim.servePort(port);
  const c = await RawClient.open(port);
  stops.push(() => sim.stop());
  return { sim, port, c };
}

describe("SimTerminal answers the gateway's initialisation like a PEI terminal", () => {
  it("echoes commands after power-up until ATE0, as V.250 requires", async () => {
    const { c } = await setup();
    expect(await c.command("AT")).toEqual(["AT", "OK"]);
    expect(await c.command("ATE0")).toEqual(["ATE0", "OK"]);
    expect(await c.command("AT")).toEqual(["OK"]);
    expect(await c.command("ATE1")).toEqual(["OK"]);
    expect(await c.command("AT")).toEqual(["AT", "OK"]);
  });

  it("frames every answer as CR LF text CR LF", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    c.raw = "";
    await c.command("AT+CTOM?");
    expect(c.raw).toBe("\r\n+CTOM: 0\r\n\r\nOK\r\n");
  });

  it("answers the recommended init sequence of docs/pei.md §1.6", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    expect(await c.command("ATV1")).toEqual(["OK"]);
    expect(await c.command("AT+CSCS=8859-1")).toEqual(["OK"]);
    expect(await c.command('AT+CSCS="8859-1"')).toEqual(["OK"]);
    expect(await c.command("AT+CNUMF?")).toEqual(["+CNUMF: 6,02400500102001234", "OK"]);
    expect(await c.command("AT+CTOM?")).toEqual(["+CTOM: 0", "OK"]);
    expect(await c.command("AT+CREG=2")).toEqual(["OK"]);
    expect(await c.command("AT+CREG?")).toEqual(["+CREG: 2,1", "OK"]);
    expect(await c.command("AT+CSQ?")).toEqual(["+CSQ: 22,99", "OK"]);
    expect(await c.command("AT+CSQ")).toEqual(["+CSQ: 22,99", "OK"]);
    for (const r of ["2,0,0", "1,1,11", "2,2,20", "2,3,2", "2,3,9", "2,3,130", "2,3,137", "2,3,138", "2,3,10"]) {
      expect(await c.command(`AT+CTSP=${r}`)).toEqual(["OK"]);
    }
    expect(await c.command("AT+CTGS?")).toEqual(["+CTGS: 1,02400500100009001", "OK"]);
    expect(await c.command("AT+CMGS=?")).toEqual(["+CMGS: (0-16777214,00000001-10231638316777214,1-255,0-999999999999999999999999),(8-1184)", "OK"]);
  });

  it("reports manufacturer, model and firmware from its configuration", async () => {
    const { c } = await setup({ manufacturer: "ACME", model: "T-1", firmware: "R2.3" });
    await c.command("ATE0");
    expect(await c.command("AT+GMI")).toEqual(["ACME", "OK"]);
    expect(await c.command("AT+GMI?")).toEqual(["ACME", "OK"]);
    expect(await c.command("AT+GMM")).toEqual(["T-1", "OK"]);
    expect(await c.command("AT+GMR")).toEqual(["R2.3", "OK"]);
    expect(await c.command("ATI")).toEqual(["ACME T-1 R2.3", "OK"]);
  });

  it("lists its routing registrations, one +CTSP line each, re-registration replacing the profile", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    expect(await c.command("AT+CTSP?")).toEqual(["OK"]);
    await c.command("AT+CTSP=1,3,130");
    await c.command("AT+CTSP=2,2,20");
    await c.command("AT+CTSP=2,3,130");
    expect(await c.command("AT+CTSP?")).toEqual(["+CTSP: 2,3,130", "+CTSP: 2,2,20", "OK"]);
    expect(await c.command("AT+CTSP=9,3,130")).toEqual(["+CME ERROR: 34"]);
    expect(await c.command("AT+CTSP=x")).toEqual(["+CME ERROR: 35"]);
  });

  it("answers ERROR to ATZ and raises a warning, because the gateway must never send it", async () => {
    const { sim, c } = await setup();
    const warnings: string[] = [];
    sim.on("warning", (m) => warnings.push(m));
    await c.command("ATE0");
    expect(await c.command("ATZ")).toEqual(["ERROR"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ATZ/);
  });

  it("answers ERROR to unknown commands and CME 35 to lines that are not commands", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    expect(await c.command("AT+XYZZY?")).toEqual(["ERROR"]);
    expect(await c.command("hello")).toEqual(["+CME ERROR: 35"]);
  });

  it("sends unsolicited +CREG only after AT+CREG enabled it", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setRegistration(2);
    expect(await c.quiet(20)).toEqual([]);
    await c.command("AT+CREG=2");
    sim.setRegistration(1);
    expect(await c.next()).toBe("+CREG: 1,1021,024005001");
    await c.command("AT+CREG=1");
    sim.setRegistration(0);
    expect(await c.next()).toBe("+CREG: 0");
  });

  it("refuses to send an SDS while not registered in TMO", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    sim.setRegistration(2);
    await c.command("AT+CTSDS=13,0");
    await c.write("AT+CMGS=2001235,16\r\n8005\x1a");
    expect(await c.until((l) => l.startsWith("+CME"))).toEqual(["+CME ERROR: 30"]);
  });
});

describe("SimTerminal talk groups: probing with AT+CTGS", () => {
  it("selects a programmed group and announces it when group management is registered", async () => {
    const { sim, c } = await setup({ groupIdentityFormat: "ssi" });
    await c.command("ATE0");
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["OK"]);
    expect(await c.quiet(10)).toEqual([]);
    expect(sim.selectedGroup).toBe("9002");
    await c.command("AT+CTSP=1,1,11");
    expect(await c.command("AT+CTGS=1,9010")).toEqual(["OK"]);
    expect(await c.next()).toBe("+CTGS: 1,9010");
    expect(await c.command("AT+CTGS?")).toEqual(["+CTGS: 1,9010", "OK"]);
  });

  it("accepts a group identity in TSI form and compares the last 8 digits", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    expect(await c.command("AT+CTGS=1,02400500100009020")).toEqual(["OK"]);
    expect(sim.selectedGroup).toBe("9020");
  });

  it("answers the configured CME code for a group that is not in the codeplug", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    expect(await c.command("AT+CTGS=1,7777")).toEqual(["+CME ERROR: 34"]);
    const other = await setup({ unknownGroupCme: 3 });
    await other.c.command("ATE0");
    expect(await other.c.command("AT+CTGS=1,7777")).toEqual(["+CME ERROR: 3"]);
  });

  it("answers CME 42 to AT+CTGS during a call and announces the call to a registered host", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    await c.command("AT+CTSP=2,0,0");
    const cc = sim.startCall("9001", { caller: "2005555" });
    expect(await c.next()).toBe(`+CTICN: ${cc},0,0,0,2005555,1,1,0,1,1,0,9001,0`);
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["+CME ERROR: 42"]);
    sim.endCall();
    expect(await c.next()).toBe(`+CTCR: ${cc},1`);
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["OK"]);
  });

  it("answers CME 42 while group attachment signalling runs", async () => {
    const { sim, c } = await setup({ groupAttachMs: 40 });
    await c.command("ATE0");
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["OK"]);
    expect(await c.command("AT+CTGS=1,9001")).toEqual(["+CME ERROR: 42"]);
    await new Promise((r) => setTimeout(r, 60));
    expect(sim.selectedGroup).toBe("9002");
    expect(await c.command("AT+CTGS=1,9001")).toEqual(["OK"]);
  });

  it("announces a front-panel selection with +CTGS", async () => {
    const { sim, c } = await setup();
    await c.command("ATE0");
    await c.command("AT+CTSP=1,1,11");
    sim.frontPanelSelect("9021");
    expect(await c.next()).toBe("+CTGS: 1,02400500100009021");
  });

  it("switches between the TMO and DMO group lists with AT+CTOM", async () => {
    const { c } = await setup({ groupIdentityFormat: "ssi" });
    await c.command("ATE0");
    await c.command("AT+CTSP=1,1,11");
    expect(await c.command("AT+CTOM=1")).toEqual(["OK"]);
    expect(await c.next()).toBe("+CTOM: 1");
    expect(await c.command("AT+CTOM?")).toEqual(["+CTOM: 1", "OK"]);
    expect(await c.command("AT+CTGS?")).toEqual(["+CTGS: 1,101", "OK"]);
    expect(await c.command("AT+CTGS=1,9001")).toEqual(["+CME ERROR: 34"]);
    expect(await c.command("AT+CTGS=1,102")).toEqual(["OK"]);
    expect(await c.next()).toBe("+CTGS: 1,102");
    await c.command("AT+CTOM=0");
    expect(await c.next()).toBe("+CTOM: 0");
    expect(await c.command("AT+CTGS?")).toEqual(["+CTGS: 1,9001", "OK"]);
    expect(await c.command("AT+CTOM=9")).toEqual(["+CME ERROR: 34"]);
  });
});

describe("SimTerminal talk groups: listing with AT+CNUMS and AT+CNUMD", () => {
  it("lists the codeplug groups of the current mode in the selected index range", async () => {
    const { c } = await setup();
    await c.command("ATE0");
    expect(await c.command("AT+CNUMS=?")).toEqual(["+CNUMS: (0),(1-2000),(1-2000)", "OK"]);
    expect(await c.command("AT+CNUMS=0,1,2000")).toEqual(["OK"]);
    expect(await c.command("AT+CNUMS?")).toEqual([
      "+CNUMS: 5",
      "1,02400500100009001,RSÄK Sthlm 1",
      "1,02400500100009002,RSÄK Sthlm 2",
      "1,02400500100009010,SOS Larm Sthlm",
      "1,02400500100009020,SAMV Sthlm 1",
      "1,02400500100009021,SAMV Sthlm 2",
      "OK",
    ]);
    await c.command("AT+CNUMS=0,2,3");
    expect(await c.command("AT+CNUMS?")).toEqual(["+CNUMS: 2", "1,02400500100009002,RSÄK Sthlm 2", "1,02400500100009010,SOS Larm Sthlm", "OK"]);
    expect(await c.command("AT+CNUMS=0,5,2")).toEqual(["+CME ERROR: 34"]);
    await c.command("AT+CTOM=1");
    await c.command("AT+CNUMS=0,1,2000");
    expect(await c.command("AT+CNUMS?")).toEqual(["+CNUMS: 2", "1,02400500100000101,DMO RÄDD 1", "1,02400500100000102,DMO RÄDD 2", "OK"]);
  });

  it("lists over-the-air groups with AT+CNUMD and lets the host select them", async () => {
    const { c } = await setup({ groupIdentityFormat: "ssi", dgnaGroups: [{ gssi: "9500", name: "DGNA Insats" }] });
    await c.command("ATE0");
    expect(await c.command("AT+CNUMD=?")).toEqual(["+CNUMD: (0),(1-2000),(1-2000)", "OK"]);
    expect(await c.command("AT+CNUMD?")).toEqual(["+CNUMD: 1", "1,9500,DGNA Insats", "OK"]);
    expect(await c.command("AT+CTGS=1,9500")).toEqual(["OK"]);
  });

  it("answers CME 4 to every listing command when listing is not supported, leaving probing as the only way", async () => {
    const { c } = await setup({ supportsListing: false });
    await c.command("ATE0");
    for (const cmd of ["AT+CNUMS=?", "AT+CNUMS=0,1,2000", "AT+CNUMS?", "AT+CNUMD=?", "AT+CNUMD?"]) {
      expect(await c.command(cmd)).toEqual(["+CME ERROR: 4"]);
    }
    expect(await c.command("AT+CTGS=1,9002")).toEqual(["OK"]);
  });
});
