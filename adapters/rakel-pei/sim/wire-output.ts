/**
 * The terminal's side of the wire: frames responses and unsolicited lines as V.250 does
 * (`<S3><S4>text<S3><S4>`, docs/pei.md §1.2) and writes them, in order, to whatever byte link is attached.
 *
 *   response(["+CMGS: 0"], "OK")  →  "\r\n+CMGS: 0\r\n" "\r\nOK\r\n"
 *   unsolicited([hdr, hex])       →  "\r\n+CTSDSR: …\r\nHEX\r\n"      (one block: the hex line stays attached)
 *
 * Fault knobs applied here: line ending, byte-by-byte writes, and unsolicited lines held until they can
 * be written inside the next response (docs/pei.md §1.4).
 */
import type { Logger } from "../../../src/shared/logger.js";
import type { ByteLink } from "../../serial-link/byte-link.js";
import { eolOf, type SimFaults } from "./sim-faults.js";

/** Ordered, framed writer of the terminal's output to the attached link. */
export class WireOutput {
  private link: ByteLink | undefined;
  private chain: Promise<void> = Promise.resolve();
  private held: string[][] = [];
  private holdTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly faults: () => SimFaults,
    private readonly log: Logger,
  ) {}

  /** Output goes to this link from now on (`undefined`: nobody listens, output is dropped). */
  setLink(link: ByteLink | undefined): void {
    this.link = link;
  }

  /** Bytes exactly as given (echo, prompt, garbage). */
  raw(text: string): void {
    this.enqueue(text);
  }

  /** Information lines and a final result code; held unsolicited lines land inside it when that fault is on. */
  response(info: readonly string[], final: string | undefined): void {
    const eol = eolOf(this.faults().lineEnding);
    const inside = this.takeHeld();
    let out = "";
    if (info.length > 0) {
      out += this.block(info.slice(0, 1), eol);
      out += inside.map((b) => this.block(b, eol)).join("");
      if (info.length > 1) out += this.block(info.slice(1), eol);
    } else {
      out += inside.map((b) => this.block(b, eol)).join("");
    }
    if (final !== undefined) out += this.block([final], eol);
    if (out !== "") this.enqueue(out);
  }

  /** One unsolicited result code with its trailing lines (kept together as one block). */
  unsolicited(lines: readonly string[]): void {
    const f = this.faults();
    if (f.urcInsideResponse) {
      this.held.push([...lines]);
      if (this.holdTimer === undefined) {
        this.holdTimer = setTimeout(() => {
          this.holdTimer = undefined;
          this.flushHeld();
        }, f.urcHoldMs);
      }
      return;
    }
    this.enqueue(this.block(lines, eolOf(f.lineEnding)));
  }

  /** Writes held unsolicited lines now. */
  flushHeld(): void {
    const eol = eolOf(this.faults().lineEnding);
    const held = this.takeHeld();
    if (held.length > 0) this.enqueue(held.map((b) => this.block(b, eol)).join(""));
  }

  /** Forget held lines (power off). */
  discardHeld(): void {
    this.takeHeld();
  }

  /** Resolves when everything queued so far has been handed to the link. */
  idle(): Promise<void> {
    return this.chain;
  }

  private takeHeld(): string[][] {
    if (this.holdTimer !== undefined) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    const h = this.held;
    this.held = [];
    return h;
  }

  private block(lines: readonly string[], eol: string): string {
    return eol + lines.join(eol) + eol;
  }

  /** The link is taken now: bytes produced while unplugged go nowhere, even if a new link is attached before they are written. */
  private enqueue(text: string): void {
    const link = this.link;
    if (!link) return;
    this.chain = this.chain.then(() => this.writeNow(link, text)).catch((err: unknown) => this.log.debug({ err }, "sim output dropped"));
  }

  private async writeNow(link: ByteLink, text: string): Promise<void> {
    if (!link.isOpen) return;
    if (this.log.isLevelEnabled("trace")) this.log.trace({ dir: "tx", data: text }, "sim tx");
    const bytes = Buffer.from(text, "latin1");
    if (!this.faults().byteByByte) {
      await link.write(bytes);
      return;
    }
    for (const b of bytes) {
      if (!link.isOpen) return;
      await link.write(Buffer.from([b]));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
