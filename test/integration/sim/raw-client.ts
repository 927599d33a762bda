/**
 * A deliberately tiny host for simulator tests: writes strings, reads lines with the same `LineTokenizer`
 * the engine uses. Not the gateway adapter: the point is to see exactly what a terminal puts on the wire.
 */
import { LineTokenizer, type LineEnd } from "../../../adapters/at/line-tokenizer.js";
import type { ByteLink } from "../../../adapters/serial-link/byte-link.js";
import type { MemoryPort } from "../../../adapters/serial-link/memory-link.js";

export interface RxLine {
  text: string;
  end: LineEnd;
}

const FINAL = /^(OK|ERROR|\+CME ERROR: \d+)$/;

export class RawClient {
  private readonly tokenizer = new LineTokenizer();
  /** Every line received, in order. */
  readonly received: RxLine[] = [];
  /** Every byte received, as Latin-1. */
  raw = "";
  /** Number of data chunks (writes on the device side, roughly). */
  chunks = 0;
  prompts = 0;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  constructor(readonly link: ByteLink) {
    link.onData((chunk) => {
      this.chunks++;
      this.raw += chunk.toString("latin1");
      for (const t of this.tokenizer.push(chunk)) {
        if (t.type === "line") this.received.push({ text: t.text, end: t.end });
        else if (t.type === "prompt") this.prompts++;
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(port: MemoryPort): Promise<RawClient> {
    return new RawClient(await port.factory());
  }

  write(text: string): Promise<void> {
    return this.link.write(text);
  }

  /** The next unread line, waiting up to `timeoutMs`. */
  async next(timeoutMs = 1000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.cursor >= this.received.length) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no line within ${timeoutMs} ms; unread: none; all: ${JSON.stringify(this.received.map((l) => l.text))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.received[this.cursor++]!.text;
  }

  /** Reads lines until one matches; returns the lines read, the match last. */
  async until(match: (line: string) => boolean, timeoutMs = 1000): Promise<string[]> {
    const out: string[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = await this.next(Math.max(1, deadline - Date.now()));
      out.push(line);
      if (match(line)) return out;
    }
  }

  /** Writes `line` + CR and returns every line up to and including the final result code. */
  async command(line: string, timeoutMs = 1000): Promise<string[]> {
    await this.write(`${line}\r`);
    return this.until((l) => FINAL.test(l), timeoutMs);
  }

  /** Lines not read yet (consumes them). */
  unread(): string[] {
    const out = this.received.slice(this.cursor).map((l) => l.text);
    this.cursor = this.received.length;
    return out;
  }

  /** Waits `ms` and returns what arrived meanwhile. */
  async quiet(ms: number): Promise<string[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.unread();
  }

  close(): Promise<void> {
    return this.link.close();
  }
}

/** Sends the gateway's usual init (docs/pei.md §1.6), without asserting, and reads past the answers. */
export async function initLikeGateway(c: RawClient, registrations: string[]): Promise<void> {
  await c.command("ATE0");
  for (const r of registrations) await c.command(`AT+CTSP=${r}`);
}
