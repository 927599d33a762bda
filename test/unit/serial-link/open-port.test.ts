import { describe, expect, it } from "vitest";
import { type PortSpec, linkFactoryFor, parsePortSpec } from "../../../adapters/serial-link/open-port.js";
import { GatewayError } from "../../../src/shared/errors.js";

describe("parsePortSpec", () => {
  const good: { spec: string; want: PortSpec }[] = [
    { spec: "/dev/ttyUSB0", want: { kind: "serial", path: "/dev/ttyUSB0" } },
    { spec: "/dev/serial/by-id/usb-Sepura_PEI-if00", want: { kind: "serial", path: "/dev/serial/by-id/usb-Sepura_PEI-if00" } },
    { spec: "  /dev/ttyACM1  ", want: { kind: "serial", path: "/dev/ttyACM1" } },
    { spec: "COM3", want: { kind: "serial", path: "COM3" } },
    { spec: "tcp://127.0.0.1:4001", want: { kind: "tcp", host: "127.0.0.1", port: 4001 } },
    { spec: "tcp://nport.local:950/", want: { kind: "tcp", host: "nport.local", port: 950 } },
    { spec: "tcp://[::1]:2000", want: { kind: "tcp", host: "::1", port: 2000 } },
    { spec: "tcp://h:65535", want: { kind: "tcp", host: "h", port: 65535 } },
    { spec: "sim:terminal", want: { kind: "sim", name: "terminal" } },
    { spec: "sim:", want: { kind: "sim", name: "terminal" } },
    { spec: "sim:modem-2.a_b", want: { kind: "sim", name: "modem-2.a_b" } },
  ];
  it.each(good)("$spec parses as $want", ({ spec, want }) => {
    expect(parsePortSpec(spec)).toEqual(want);
  });

  const bad: string[] = [
    "",
    "   ",
    "/dev/tty\0USB0",
    "/dev/ttyUSB0\r\nAT",
    "tcp://host",
    "tcp://host:0",
    "tcp://host:65536",
    "tcp://host:123456",
    "tcp://host:12ab",
    "tcp://:4001",
    "tcp://a b:4001",
    "tcp://host:4001/path",
    "sim:../etc",
    "sim:a b",
    `sim:${"x".repeat(65)}`,
  ];
  it.each(bad)("%j is rejected with CLI_USAGE", (spec) => {
    let err: unknown;
    try {
      parsePortSpec(spec);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("CLI_USAGE");
  });
});

describe("linkFactoryFor", () => {
  it("refuses sim specs, which belong to the simulator registry", () => {
    expect(() => linkFactoryFor({ kind: "sim", name: "terminal" }, { baudRate: 38400 })).toThrow(GatewayError);
  });

  it("returns a factory for serial and tcp specs without opening anything", () => {
    expect(typeof linkFactoryFor({ kind: "serial", path: "/dev/does-not-exist" }, { baudRate: 38400 })).toBe("function");
    expect(typeof linkFactoryFor({ kind: "tcp", host: "127.0.0.1", port: 1 }, { baudRate: 38400 })).toBe("function");
  });

  it("a serial factory for a missing device rejects with LINK_OPEN_FAILED", async () => {
    const err: unknown = await linkFactoryFor({ kind: "serial", path: "/dev/rakelgw-test-missing" }, { baudRate: 38400 })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe("LINK_OPEN_FAILED");
    expect((err as GatewayError).context["path"]).toBe("/dev/rakelgw-test-missing");
  });
});
