/**
 * The grammar of what may reach a serial device (docs/reliability.md S2): the bytes written while a send was
 * asked for must be made of the one command that should be sent, and anything else must be one of the
 * routine commands the gateway writes anyway (init, heartbeat: taken from a clean baseline).
 */
/* eslint-disable no-control-regex -- Ctrl-Z (0x1A) ends every message body on the wire */
export const SDS_UNITS = [/^AT\+CTSDS=1[23],0(?:,0,0,[01])?\r$/, /^AT\+CMGS=\d{1,8},\d{1,4}\r\n[0-9A-F]+\x1a$/];
export const SMS_UNITS = [/^AT\+CMGS=\d{1,3}\r[0-9A-F]+\x1a$/];

/** Splits written bytes into units: one command line (up to CR), one CMGS with its data and Ctrl-Z, or a lone ESC. */
export function units(wire: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < wire.length) {
    // ESC on its own cancels a message body a predecessor may have begun (written before the first probe
    // of a new link): a unit by itself, never part of the command that follows.
    if (wire[i] === "\x1b") {
      out.push("\x1b");
      i++;
      continue;
    }
    if (wire.startsWith("AT+CMGS=", i)) {
      const z = wire.indexOf("\x1a", i);
      const cr = wire.indexOf("\r", i);
      // A CMGS without data is a query (AT+CMGS=?) or broken: it ends at its CR.
      const end = z >= 0 && cr >= 0 && z > cr && !/[\r]/.test(wire.slice(cr + 1, z).replace(/^\n/, "")) ? z + 1 : cr >= 0 ? cr + 1 : wire.length;
      out.push(wire.slice(i, end));
      i = end;
      continue;
    }
    const cr = wire.indexOf("\r", i);
    const end = cr >= 0 ? cr + 1 : wire.length;
    out.push(wire.slice(i, end));
    i = end;
  }
  return out;
}

/** Units that are neither routine (seen in the baseline) nor one of the allowed send units. */
export function violations(wire: string, routine: ReadonlySet<string>, allowed: readonly RegExp[]): string[] {
  return units(wire).filter((u) => !routine.has(u) && !allowed.some((re) => re.test(u)));
}
