import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SerialPort } from "serialport";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LineTokenizer } from "../../../adapters/at/line-tokenizer.js";
import { SimTerminal, runOnPty, type PtySession } from "../../../adapters/rakel-pei/sim/index.js";

/** A real serialport on the pty, read with the engine's tokenizer. */
class PortReader {
  private readonly tokenizer = new LineTokenizer();
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;

  constructor(readonly port: SerialPort) {
    port.on("data", (chunk: Buffer) => {
      for (const t of this.tokenizer.push(chunk)) if (t.type === "line") this.lines.push(t.text);
      this.waiter?.();
    });
  }

  static open(path: string): Promise<PortReader> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: 38400, autoOpen: false });
      port.open((err) => (err ? reject(err) : resolve(new PortReader(port))));
    });
  }

  async command(line: string, timeoutMs = 2000): Promise<string[]> {
    this.port.write(`${line}\r`);
    const out: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = await this.next(deadline - Date.now());
      out.push(next);
      if (/^(OK|ERROR|\+CME ERROR: \d+)$/.test(next)) return out;
    }
  }

  async next(timeoutMs = 2000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0) {
      if (Date.now() >= deadline) throw new Error("no line from the pty");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.lines.shift()!;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.port.close(() => resolve()));
  }
}

describe("SimTerminal on a pseudo-terminal through socat", () => {
  let dir: string;
  let path: string;
  let sim: SimTerminal;
  let session: PtySession;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "rakel-sim-"));
    path = join(dir, "ttyRAKEL");
    sim = new SimTerminal({ config: { airDelayMs: 5, reportDelayMs: 10 } });
    session = await runOnPty(path, sim);
  });

  afterAll(async () => {
    await session.stop();
    sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("talks to a real serialport opened on the link path, across a close and reopen", async () => {
    expect(existsSync(path)).toBe(true);
    expect(session.ptsPath).toMatch(/^\/dev\/pts\/\d+$/);
    const a = await PortReader.open(path);
    expect(await a.command("AT")).toEqual(["AT", "OK"]);
    expect(await a.command("ATE0")).toEqual(["ATE0", "OK"]);
    expect(await a.command("AT+CNUMF?")).toEqual(["+CNUMF: 6,02400500102001234", "OK"]);
    expect(await a.command("AT+CTSP=1,3,130")).toEqual(["OK"]);
    sim.injectText("2005555", "Via pty", { messageReference: 3 });
    expect(await a.next()).toBe("+CTSDSR: 12,2005555,0,2001234,0,88");
    expect(await a.next()).toBe("82000301" + Buffer.from("Via pty", "latin1").toString("hex").toUpperCase());
    await a.close();

    const b = await PortReader.open(path);
    expect(await b.command("AT+CTSP?")).toEqual(["+CTSP: 1,3,130", "OK"]);
    b.port.write("AT+CTSDS=12,0,0,0,0\r");
    expect(await b.next()).toBe("OK");
    b.port.write("AT+CMGS=2001235,56\r\r\n8200040148656A\x1a");
    expect([await b.next(), await b.next(), await b.next()]).toEqual(["+CMGS: 0", "OK", "+CMGS: 0,4,4"]);
    expect(sim.sent.at(-1)?.text).toBe("Hej");
    await b.close();
  });

  it("fails with LINK_OPEN_FAILED when socat cannot start or cannot create the link", async () => {
    await expect(runOnPty(join(dir, "ttyNONE"), new SimTerminal(), { socatPath: "/nonexistent/socat" })).rejects.toMatchObject({ code: "LINK_OPEN_FAILED" });
    await expect(runOnPty(join(dir, "no-such-dir", "tty"), new SimTerminal())).rejects.toMatchObject({ code: "LINK_OPEN_FAILED" });
  });

  it("removes the link when stopped", async () => {
    const other = new SimTerminal();
    const p = join(dir, "ttyOTHER");
    const s = await runOnPty(p, other);
    expect(existsSync(p)).toBe(true);
    await s.stop();
    expect(existsSync(p)).toBe(false);
  });
});
