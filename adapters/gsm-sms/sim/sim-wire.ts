import type { Logger } from "../../../src/shared/logger.js";
import type { ByteLink } from "../../serial-link/byte-link.js";
import { eolOf, type SimModemFaults } from "./sim-modem-config.js";

/**
 * The modem's side of the wire: frames answers and unsolicited codes as V.250 does (`<CR><LF>text<CR><LF>`)
 * and writes them in order to the attached link. Fault knobs applied here: line ending and byte-by-byte.
 */
export class SimWire {
  private link: ByteLink | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly faults: () => SimModemFaults,
    private readonly log: Logger,
  ) {}

  setLink(link: ByteLink | undefined): void {
    this.link = link;
  }

  /** Bytes as given (echo, the `> ` prompt, garbage). */
  raw(text: string): void {
    this.enqueue(text);
  }

  /** Lines framed as one block: an answer's information lines and final result, or a URC with its PDU line. */
  lines(lines: readonly string[]): void {
    if (lines.length === 0) return;
    const eol = eolOf(this.faults().lineEnding);
    this.enqueue(lines.map((l) => eol + l + eol).join(""));
  }

  idle(): Promise<void> {
    return this.chain;
  }

  private enqueue(text: string): void {
    this.chain = this.chain.then(() => this.writeNow(text)).catch((err: unknown) => this.log.debug({ err }, "sim output dropped"));
  }

  private async writeNow(text: string): Promise<void> {
    const link = this.link;
    if (!link?.isOpen) return;
    const bytes = Buffer.from(text, "latin1");
    if (!this.faults().byteByByte) return link.write(bytes);
    for (const b of bytes) {
      if (!link.isOpen) return;
      await link.write(Buffer.from([b]));
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
