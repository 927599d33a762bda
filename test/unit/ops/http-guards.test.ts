import { describe, expect, it } from "vitest";
import { isLoopbackHost, parseListen } from "../../../adapters/http/http-config.js";
import { LoginGuard } from "../../../adapters/http/login-guard.js";
import { SessionStore, cookieValue } from "../../../adapters/http/sessions.js";
import { isGatewayError } from "../../../src/shared/errors.js";

describe("LoginGuard", () => {
  it("counts an attempt before the check and refuses the 11th failure in a minute", async () => {
    let now = 0;
    const g = new LoginGuard({ failuresPerMinute: 10, maxConcurrent: 4, now: () => now });
    let checks = 0;
    const bad = (): Promise<boolean> => Promise.resolve(++checks < 0);
    for (let i = 0; i < 10; i++) expect(await g.attempt("10.0.0.1", bad)).toBe(false);
    await expect(g.attempt("10.0.0.1", bad)).rejects.toSatisfy((e) => isGatewayError(e, "HTTP_THROTTLED"));
    expect(checks).toBe(10);
    expect(await g.attempt("10.0.0.2", () => Promise.resolve(true))).toBe(true);
    now += 60_001;
    expect(await g.attempt("10.0.0.1", () => Promise.resolve(true))).toBe(true);
  });

  it("bounds concurrent checks", async () => {
    const g = new LoginGuard({ failuresPerMinute: 100, maxConcurrent: 2 });
    let release!: () => void;
    const gate = new Promise<boolean>((r) => (release = () => r(false)));
    const a = g.attempt("a", () => gate);
    const b = g.attempt("b", () => gate);
    await expect(g.attempt("c", () => Promise.resolve(true))).rejects.toSatisfy((e) => isGatewayError(e, "HTTP_THROTTLED"));
    release();
    await Promise.all([a, b]);
    expect(await g.attempt("c", () => Promise.resolve(true))).toBe(true);
  });
});

describe("SessionStore", () => {
  it("issues unguessable tokens that expire", () => {
    let now = 0;
    const s = new SessionStore(1000, () => now);
    const t = s.create("operator");
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.get(t)?.user).toBe("operator");
    expect(s.get("forged")).toBeUndefined();
    now = 1000;
    expect(s.get(t)).toBeUndefined();
  });

  it("reads one cookie out of a header", () => {
    expect(cookieValue("a=1; rakelgw_session=abc; b=2", "rakelgw_session")).toBe("abc");
    expect(cookieValue(undefined, "rakelgw_session")).toBeUndefined();
  });
});

describe("http.listen", () => {
  it("splits host and port, IPv6 in brackets", () => {
    expect(parseListen("127.0.0.1:8088")).toEqual({ host: "127.0.0.1", port: 8088 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(isLoopbackHost("127.0.0.2")).toBe(true);
    expect(isLoopbackHost("10.0.0.5")).toBe(false);
  });
});
