import { Type } from "@sinclair/typebox";
import { describe, expect, it } from "vitest";
import { RequestRouter } from "../../../adapters/mqtt/api/request-router.js";
import { GatewayError } from "../../../src/shared/errors.js";

const buf = (v: unknown): Buffer => Buffer.from(typeof v === "string" ? v : JSON.stringify(v));

function router(): { r: RequestRouter; calls: unknown[] } {
  const r = new RequestRouter({ maxRequestBytes: 1024, maxConcurrent: 2 });
  const calls: unknown[] = [];
  r.registerVerb("sds/send", (p) => {
    calls.push(p);
    return Promise.resolve({ id: "sds-1" });
  });
  r.registerVerb("sms/send", () => Promise.reject(new GatewayError("SMS_REJECTED", "modem said no")));
  r.registerVerb("talkgroups/check", () => Promise.reject(new Error("boom")));
  return { r, calls };
}

describe("RequestRouter", () => {
  it.each([
    { title: "malformed JSON", verb: "sds/send", raw: '{"id":', code: "MQTT_BAD_JSON", tx: undefined },
    { title: "a JSON array", verb: "sds/send", raw: "[1,2]", code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "a JSON string", verb: "sds/send", raw: '"x"', code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "wrong types", verb: "sds/send", raw: { transaction: "t1", to: 1234, text: 5 }, code: "MQTT_BAD_PAYLOAD", tx: "t1" },
    { title: "an unknown field", verb: "sds/send", raw: { transaction: 7, to: "issi:1234", text: "x", extra: true }, code: "MQTT_BAD_PAYLOAD", tx: 7 },
    { title: "an AT injection in the ISSI (docs/reliability.md #5)", verb: "sds/send", raw: { to: "issi:2345678;AT+CTOM=1", text: "x" }, code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "both text and status", verb: "sds/send", raw: { to: "issi:1", text: "x", status: 3 }, code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "neither text nor status", verb: "sds/send", raw: { to: "issi:1" }, code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "a report on a group SDS", verb: "sds/send", raw: { to: "gssi:1", text: "x", report: "received" }, code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "50-level nesting (docs/reliability.md #22)", verb: "sds/send", raw: JSON.stringify({ to: "issi:1", text: "x", n: JSON.parse("[".repeat(50) + "]".repeat(50)) as unknown }), code: "MQTT_BAD_PAYLOAD", tx: undefined },
    { title: "an oversized payload", verb: "sds/send", raw: { to: "issi:1", text: "x".repeat(2000) }, code: "MQTT_PAYLOAD_TOO_LARGE", tx: undefined },
    { title: "an unknown verb", verb: "alert/frobnicate", raw: { transaction: "t9" }, code: "MQTT_UNKNOWN_VERB", tx: "t9" },
    { title: "a GatewayError from the handler", verb: "sms/send", raw: { transaction: "t2", to: "+46701234567", text: "hi" }, code: "SMS_REJECTED", tx: "t2" },
    { title: "a plain Error from the handler", verb: "talkgroups/check", raw: { terminal: "radio-1" }, code: "MQTT_HANDLER_FAILED", tx: undefined },
  ])("answers $title with $code and never calls the handler with bad input", async ({ verb, raw, code, tx }) => {
    const { r, calls } = router();
    const { response, handlerMs } = await r.handle(verb, buf(raw));
    expect(response).toMatchObject({ status: "error", error: { code } });
    expect(response.transaction).toBe(tx);
    if (verb === "sds/send") expect(calls).toEqual([]);
    // Refused before the handler: no handler time is reported; a failing handler ran, so it is.
    expect(handlerMs === undefined).toBe(code.startsWith("MQTT_BAD") || code === "MQTT_PAYLOAD_TOO_LARGE" || code === "MQTT_UNKNOWN_VERB");
  });

  it("passes a valid payload to the handler and echoes the transaction", async () => {
    const { r, calls } = router();
    const { response, handlerMs } = await r.handle("sds/send", buf({ transaction: "abc", to: "issi:2345678", text: "Brand", report: "received" }));
    expect(response).toEqual({ transaction: "abc", status: "ok", data: { id: "sds-1" } });
    expect(calls).toEqual([{ transaction: "abc", to: "issi:2345678", text: "Brand", report: "received" }]);
    expect(handlerMs).toEqual(expect.any(Number)); // logged as handlerMs: present whenever the handler ran
  });

  it("does not echo a transaction of the wrong type or size", async () => {
    const { r } = router();
    expect((await r.handle("nope", buf({ transaction: { a: 1 } }))).response.transaction).toBeUndefined();
    expect((await r.handle("nope", buf({ transaction: "x".repeat(200) }))).response.transaction).toBeUndefined();
  });

  it("answers MQTT_BUSY beyond the concurrency limit", async () => {
    const r = new RequestRouter({ maxConcurrent: 1 });
    let release: (() => void) | undefined;
    r.registerVerb("health", () => new Promise((res) => (release = () => res({ ok: true }))));
    const first = r.handle("health", buf({}));
    expect((await r.handle("health", buf({}))).response).toMatchObject({ status: "error", error: { code: "MQTT_BUSY" } });
    release?.();
    expect((await first).response).toMatchObject({ status: "ok" });
    const third = r.handle("health", buf({})); // the slot is free again
    await new Promise((res) => setImmediate(res));
    release?.();
    expect((await third).response.status).toBe("ok");
  });

  it("registers custom verbs with their own schema, and unregisters them", async () => {
    const r = new RequestRouter();
    const off = r.registerCustomVerb("alert/ack", Type.Object({ id: Type.String() }, { additionalProperties: false }), (p) => Promise.resolve({ acked: p.id }));
    expect((await r.handle("alert/ack", buf({ id: "a1" }))).response).toEqual({ status: "ok", data: { acked: "a1" } });
    off();
    expect((await r.handle("alert/ack", buf({ id: "a1" }))).response).toMatchObject({ error: { code: "MQTT_UNKNOWN_VERB" } });
  });
});
