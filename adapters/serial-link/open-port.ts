import { GatewayError } from "../../src/shared/errors.js";
import type { ByteLinkFactory } from "./byte-link.js";
import { serialPortFactory } from "./serialport-link.js";
import { tcpLinkFactory } from "./tcp-link.js";

/** What a `--port` string names (docs/mqtt-interface.md): a device path, `tcp://host:port`, or `sim:<name>`. */
export type PortSpec =
  | { kind: "serial"; path: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "sim"; name: string };

export function parsePortSpec(spec: string): PortSpec {
  const s = spec.trim();
  if (s.startsWith("sim:")) {
    const name = s.slice(4) || "terminal";
    if (!/^[\w.-]{1,64}$/.test(name)) throw new GatewayError("CLI_USAGE", `invalid simulator name in "${spec}"`);
    return { kind: "sim", name };
  }
  if (s.startsWith("tcp://")) {
    const m = /^tcp:\/\/(\[[0-9a-fA-F:]+\]|[^:/\s]+):(\d{1,5})\/?$/.exec(s);
    const port = m ? Number(m[2]) : NaN;
    if (!m || port < 1 || port > 65535) throw new GatewayError("CLI_USAGE", `invalid TCP port address "${spec}" (expected tcp://host:port)`);
    return { kind: "tcp", host: m[1]!.replace(/^\[|\]$/g, ""), port };
  }
  if (s === "" || /[\0\r\n]/.test(s)) throw new GatewayError("CLI_USAGE", `invalid serial device path "${spec}"`);
  return { kind: "serial", path: s };
}

/**
 * Factory for serial and TCP specs. `sim:` specs name an in-process simulator, which only the device factory
 * of the composition root (src/app/devices/device-factory.ts) starts; here they are refused.
 */
export function linkFactoryFor(spec: PortSpec, serial: { baudRate: number; rtscts?: boolean }): ByteLinkFactory {
  switch (spec.kind) {
    case "serial":
      return serialPortFactory({ path: spec.path, ...serial });
    case "tcp":
      return tcpLinkFactory(spec.host, spec.port);
    case "sim":
      throw new GatewayError("CLI_USAGE", `sim:${spec.name} is a simulator; open it through the device factory (src/app/devices/)`);
  }
}
