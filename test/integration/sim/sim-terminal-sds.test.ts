import { afterEach, describe, expect, it } from "vitest";
import { MemoryPort } from "../../../adapters/serial-link/memory-link.js";
import { decodeSds, encodeSdsTlText, encodeStatus, type EncodedSds } from "../../../adapters/rakel-pei/sds/index.js";
import { SimTerminal, encodeLipShortReport, type SimTerminalConfig } from "../../../adapters/rakel-pei/sim/index.js";
import { RawClient, initLikeGateway } from "./raw-client.js";

let stops: (() => void)[] = [];
afterEach(() => {
  for (const s of stops) s();
  stops = [];
});

const FAST: Partial<SimTerminalConfig> = { airDelayMs: 5, reportDelayMs: 10 };

async function setup(config: Partial<SimTerminalConfig> = {}, registrations: string[] = []): Promise<{ sim: SimTerminal; c: RawClient }> {
  const sim = new SimTerminal({ config: { ...FAST, ...config } });
  const port = new MemoryPort("radio");
  sim.servePort(port);
  const c = await RawClient.open(port);
  stops.push(() => sim.stop());
  await initLikeGateway(c, registrations);
  return { sim, c };
}

/** What the engine writes: select the service, then command, CR, CR LF, hex, Ctrl-Z in one write (docs/pei.md §1.5). */
async function sendSds(c: RawClient, to: string, pdu: EncodedSds): Promise<string[]> {
  expect(await c.command(pdu.aiService === 13 ? "AT+CTSDS=13,0" : "AT+CTSDS=12,0,0,0,0")).toEqual(["OK"]);
  await c.write(`AT+CMGS=${to},${pdu.bits}\r\r\n${pdu.hex}\x1a`);
  return c.until((l) => l === "OK" || l.startsWith("+CME"));
}

const text = (t: string, ref: number, report: "none" | "received" | "consumed" | "both" = "none", ssb?: 0 | 1): EncodedSds =>
  encodeSdsTlText(t, { messageReference: ref, group: false, deliveryReport: report, ...(ssb === undefined ? {} : { serviceSelectionBit: ssb }) });

describe("SimTerminal sends SDS for the host", () => {
  it("accepts a text, reports it sent over the air, and returns the peer's delivery reports", async () => {
    const { sim, c } = await setup({}, ["2,3,130"]);
    const pdu = text("Hej från LC", 7, "both");
    expect(await sendSds(c, "2001235", pdu)).toEqual(["+CMGS: 0", "OK"]);
    expect(await c.next()).toBe("+CMGS: 0,4,7");
    expect(await c.next()).toBe("+CTSDSR: 12,2001235,0,2001234,0,32");
    expect(await c.next()).toBe("82100007");
    expect(await c.next()).toBe("+CTSDSR: 12,2001235,0,2001234,0,32");
    expect(await c.next()).toBe("82100207");
    expect(sim.sent).toHaveLength(1);
    const sent = sim.sent[0]!;
    expect(sent).toMatchObject({ destination: "2001235", ssi: "2001235", toGroup: false, aiService: 12, bits: pdu.bits, hex: pdu.hex, messageReference: 7, transmission: "sent" });
    expect(sent.text).toBe("Hej från LC");
    expect(sent.decoded).toMatchObject({ kind: "text", deliveryReportRequest: "both", protocolId: 0x82 });
  });

  it("emits sds-sent with the decoded payload", async () => {
    const { sim, c } = await setup();
    const seen: string[] = [];
    sim.on("sds-sent", (s) => seen.push(s.text ?? "?"));
    await sendSds(c, "2001235", text("Brand", 1));
    expect(seen).toEqual(["Brand"]);
  });

  it("sends a status with instance 0 and reference 0, and no report follows", async () => {
    const { sim, c } = await setup({}, ["2,2,20", "2,3,130"]);
    expect(await sendSds(c, "2001235", encodeStatus(0x8005))).toEqual(["+CMGS: 0", "OK"]);
    expect(await c.next()).toBe("+CMGS: 0,4,0");
    expect(await c.quiet(30)).toEqual([]);
    expect(sim.sent[0]!.decoded).toMatchObject({ kind: "status", value: 0x8005 });
  });

  it("answers with an SDS-SHORT-REPORT when the peer prefers it and the service-selection bit is 0", async () => {
    const { c } = await setup({ peers: { "2001236": { kind: "deliver", shortReport: true } } }, ["2,2,20", "2,3,130"]);
    await sendSds(c, "2001236", text("Kort", 0x2a, "received", 0));
    expect(await c.until((l) => l.startsWith("+CTSDSR"))).toEqual(["+CMGS: 0,4,42", "+CTSDSR: 13,2001236,0,2001234,0,16"]);
    expect(await c.next()).toBe("7E2A");
    await sendSds(c, "2001236", text("Lång", 0x2b, "received", 1));
    expect(await c.until((l) => l.startsWith("+CTSDSR"))).toEqual(["+CMGS: 0,4,43", "+CTSDSR: 12,2001236,0,2001234,0,32"]);
    expect(await c.next()).toBe("8210002B");
  });

  it("reports 'destination not registered' for an unreachable peer", async () => {
    const { c } = await setup({ peers: { "2001237": { kind: "unreachable" } } }, ["2,3,130"]);
    await sendSds(c, "2001237", text("Hallå?", 9, "received"));
    expect(await c.until((l) => /^[0-9A-F]{8}$/.test(l))).toEqual(["+CMGS: 0,4,9", "+CTSDSR: 12,2001237,0,2001234,0,32", "82104B09"]);
  });

  it("reports a failed transmission for a peer configured to fail on the air", async () => {
    const { sim, c } = await setup({ peers: { "2001238": { kind: "unreachable", via: "air-failure" } } }, ["2,3,130"]);
    await sendSds(c, "2001238", text("Hallå?", 10, "received"));
    expect(await c.next()).toBe("+CMGS: 0,5,10");
    expect(await c.quiet(30)).toEqual([]);
    expect(sim.sent[0]!.transmission).toBe("failed");
  });

  it("hears nothing back from a silent peer or from a group", async () => {
    const { c } = await setup({ peers: { "2001239": { kind: "silent" } } }, ["2,3,130", "2,2,20"]);
    await sendSds(c, "2001239", text("Tyst", 11, "both"));
    expect(await c.next()).toBe("+CMGS: 0,4,11");
    expect(await c.quiet(40)).toEqual([]);
    // A (wrong) report request toward a group: groups never report (docs/pei.md §3.3).
    await sendSds(c, "9001", { aiService: 12, hex: "820E0C0141", bits: 40 });
    expect(await c.next()).toBe("+CMGS: 0,4,12");
    expect(await c.quiet(40)).toEqual([]);
  });

  it("keeps reports away from the PEI until the host registered their PID", async () => {
    const { sim, c } = await setup();
    await sendSds(c, "2001235", text("Hej", 13, "received"));
    expect(await c.next()).toBe("+CMGS: 0,4,13");
    expect(await c.quiet(40)).toEqual([]);
    expect(sim.shownOnRadio.map((i) => i.hex)).toEqual(["8210000D"]);
  });
});

describe("SimTerminal validates AT+CMGS like a terminal", () => {
  it("rejects a bit length that does not match the hex with CME 32", async () => {
    const { c } = await setup();
    await c.command("AT+CTSDS=12,0,0,0,0");
    await c.write("AT+CMGS=2001235,64\r\r\n8200010141\x1a");
    expect(await c.next()).toBe("+CME ERROR: 32");
    await c.write("AT+CMGS=2001235,16\r\r\n8200010141\x1a");
    expect(await c.next()).toBe("+CME ERROR: 32");
    await c.write("AT+CMGS=2001235,16\r\r\n82ZZ\x1a");
    expect(await c.next()).toBe("+CME ERROR: 32");
  });

  it("assembles AT+CMGS and its user data written one byte at a time, with a CR-only separator", async () => {
    const { sim, c } = await setup();
    await c.command("AT+CTSDS=12,0,0,0,0");
    const pdu = text("Bit för bit", 21);
    for (const ch of `AT+CMGS=2001235,${pdu.bits}\r${pdu.hex}\x1a`) await c.write(ch);
    expect(await c.until((l) => l === "OK")).toEqual(["+CMGS: 0", "OK"]);
    expect(sim.sent[0]!.text).toBe("Bit för bit");
  });

  it("accepts 84 bits as 21 or 22 hex digits", async () => {
    const { sim, c } = await setup();
    await c.command("AT+CTSDS=12,0,0,0,0");
    await c.write("AT+CMGS=2001235,84\r\r\n0A0088BD4247F737FFE81\x1a");
    expect(await c.until((l) => l === "OK")).toEqual(["+CMGS: 0", "OK"]);
    // The "sent over the air" report of a send is unsolicited and comes airDelayMs later: read it before
    // the next command, or under load it lands inside that command's answer (docs/pei.md §1.4).
    expect(await c.next()).toBe("+CMGS: 0,4,0");
    await c.write("AT+CMGS=2001235,84\r\r\n0A0088BD4247F737FFE810\x1a");
    expect(await c.until((l) => l === "OK")).toEqual(["+CMGS: 0", "OK"]);
    expect(sim.sent[1]!.decoded).toMatchObject({ kind: "position" });
  });

  it("rejects out-of-range parameters with CME 34 and bad syntax with CME 35", async () => {
    const { c } = await setup({ maxSdsBits: 64 });
    expect(await c.command("AT+CMGS=?")).toEqual(["+CMGS: (0-16777214,00000001-10231638316777214,1-255,0-999999999999999999999999),(8-64)", "OK"]);
    await c.command("AT+CTSDS=13,0");
    await c.write("AT+CMGS=2001235,32\r\r\n80058005\x1a");
    expect(await c.next()).toBe("+CME ERROR: 34");
    await c.command("AT+CTSDS=12,0,0,0,0");
    await c.write(`AT+CMGS=2001235,72\r\r\n${"41".repeat(9)}\x1a`);
    expect(await c.next()).toBe("+CME ERROR: 34");
    await c.write("AT+CMGS=123456789,16\r\r\n8201\x1a");
    expect(await c.next()).toBe("+CME ERROR: 34");
    await c.write("AT+CMGS=20O1235,16\r\r\n8201\x1a");
    expect(await c.next()).toBe("+CME ERROR: 35");
    expect(await c.command("AT+CTSDS=7,0")).toEqual(["+CME ERROR: 34"]);
  });

  it("answers CME 36 to user data without AT+CMGS, CME 37 when the data never comes, and OK to ESC", async () => {
    const { sim, c } = await setup({ userDataTimeoutMs: 30 });
    await c.write("8201\x1a");
    expect(await c.next()).toBe("+CME ERROR: 36");
    await c.write("AT+CMGS=2001235,16\r");
    expect(await c.next(500)).toBe("+CME ERROR: 37");
    await c.write("AT+CMGS=2001235,16\r\r\n82\x1b");
    expect(await c.next()).toBe("OK");
    expect(sim.sent).toHaveLength(0);
  });

  it("limits the number of SDS per minute with CME 42", async () => {
    const { c } = await setup({ maxSdsPerMinute: 2 });
    // Each accepted send's unsolicited "sent over the air" report is read before the next command, so it
    // cannot land inside the next answer (docs/pei.md §1.4).
    expect(await sendSds(c, "2001235", text("1", 1))).toEqual(["+CMGS: 0", "OK"]);
    expect(await c.next()).toBe("+CMGS: 0,4,1");
    expect(await sendSds(c, "2001235", text("2", 2))).toEqual(["+CMGS: 0", "OK"]);
    expect(await c.next()).toBe("+CMGS: 0,4,2");
    const third = await sendSds(c, "2001235", text("3", 3));
    expect(third.at(-1)).toBe("+CME ERROR: 42");
  });
});

describe("SimTerminal delivers incoming SDS only where AT+CTSP routes them", () => {
  it("shows an unregistered text on the radio only", async () => {
    const { sim, c } = await setup();
    const route = sim.injectText("2005555", "Larm: brand");
    expect(route).toEqual({ te: false, mt: true });
    expect(await c.quiet(20)).toEqual([]);
    expect(sim.shownOnRadio).toHaveLength(1);
    expect(sim.shownOnRadio[0]).toMatchObject({ from: "2005555", text: "Larm: brand", reason: "mt-only" });
  });

  it("writes a registered text to the PEI as a two-line +CTSDSR, and to the radio too with profile 2", async () => {
    const { sim, c } = await setup({}, ["1,3,130"]);
    sim.injectText("2005555", "Åsa åker", { messageReference: 0x11, report: "received" });
    expect(await c.next()).toBe("+CTSDSR: 12,2005555,0,2001234,0,96");
    expect(await c.next()).toBe("82041101C5736120E56B6572");
    expect(sim.shownOnRadio).toHaveLength(0);
    await c.command("AT+CTSP=2,3,130");
    sim.injectText("2005555", "Igen");
    expect(await c.next()).toBe("+CTSDSR: 12,2005555,0,2001234,0,64");
    expect(await c.next()).toMatch(/^8200..0149/);
    expect(sim.shownOnRadio[0]).toMatchObject({ text: "Igen", reason: "mt-copy" });
  });

  it("routes each PID and the status service by its own registration", async () => {
    const { sim, c } = await setup({}, ["1,3,137", "1,3,2"]);
    expect(sim.injectText("2005555", "Omedelbart", { immediate: true }).te).toBe(true);
    expect((await c.next()).startsWith("+CTSDSR: 12,")).toBe(true);
    expect((await c.next()).startsWith("89")).toBe(true);
    expect(sim.injectText("2005555", "Enkel", { simple: true }).te).toBe(true);
    await c.next();
    expect((await c.next()).startsWith("0201")).toBe(true);
    expect(sim.injectText("2005555", "Enkel omedelbar", { simple: true, immediate: true }).te).toBe(false);
    expect(sim.injectText("2005555", "Vanlig").te).toBe(false);
    expect(sim.injectStatus("2005555", 0x8002).te).toBe(false);
    await c.command("AT+CTSP=2,2,20");
    expect(sim.injectStatus("2005555", 0x8002).te).toBe(true);
    expect(await c.next()).toBe("+CTSDSR: 13,2005555,0,2001234,0,16");
    expect(await c.next()).toBe("8002");
  });

  it("delivers a LIP position the codec decodes back to the injected coordinates", async () => {
    const { sim, c } = await setup({}, ["1,3,10"]);
    sim.injectLip("2005555", 59.3293, 18.0686);
    expect(await c.next()).toBe("+CTSDSR: 12,2005555,0,2001234,0,84");
    const hex = await c.next();
    expect(hex).toHaveLength(22);
    const d = decodeSds(12, hex, 84);
    expect(d.ok && d.value.kind === "position" ? [d.value.latitude, d.value.longitude] : d).toEqual([expect.closeTo(59.3293, 4), expect.closeTo(18.0686, 4)]);
  });

  it("encodes LIP exactly like golden vector V45 (svx sample), padded or with 21 digits", () => {
    const options = { positionError: 7, velocityCode: 127, directionCode: 15, reason: 129 };
    expect(encodeLipShortReport(51.325099, 12.018099, options)).toEqual({ aiService: 12, hex: "0A0088BD4247F737FFE810", bits: 84 });
    expect(encodeLipShortReport(51.325099, 12.018099, { ...options, oddDigits: true }).hex).toBe("0A0088BD4247F737FFE81");
  });

  it("honours svx's PID-range registrations 1,3,24 and 1,3,25", async () => {
    const { sim } = await setup({}, ["1,3,25"]);
    expect(sim.injectText("2005555", "SDS-TL").te).toBe(true);
    expect(sim.injectText("2005555", "Simple", { simple: true }).te).toBe(false);
  });

  it("passes raw lines to the host unchanged", async () => {
    const { sim, c } = await setup();
    sim.injectRaw(["+CTSDSR:12,1033,0,3130,0,64", "8204010574657374"]);
    expect(await c.next()).toBe("+CTSDSR:12,1033,0,3130,0,64");
    expect(await c.next()).toBe("8204010574657374");
  });
});
