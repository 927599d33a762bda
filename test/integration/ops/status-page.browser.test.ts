import { Type } from "@sinclair/typebox";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/shared/errors.js";
import { SCREENSHOTS, openBrowser, type Browser } from "../../helpers/browser.js";
import { alertDoc, login, startOpsGateway, type OpsRig } from "../../helpers/ops-gateway.js";

/**
 * The status page in a real browser (Debian chromium, headless, through playwright-core) against a whole
 * gateway on simulated devices: login, content, live updates over SSE, language, rights, and the two
 * actions through the gateway's request router. One screenshot per page lands in test-output/screenshots.
 */
let rig: OpsRig;
let browser: Browser;

beforeAll(async () => {
  rig = await startOpsGateway();
  browser = await openBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await rig?.stop();
});

async function loginPage(page: Page, user: string, password: string): Promise<void> {
  await page.goto(`${rig.url}login`);
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
}

describe("status page in chromium", () => {
  it("refuses a wrong password with a Swedish message and keeps the login page", async () => {
    const page = await browser.context.newPage();
    await page.goto(rig.url);
    expect(page.url()).toBe(`${rig.url}login`);
    await page.screenshot({ path: join(SCREENSHOTS, "login.png") });
    await loginPage(page, "viewer", "wrong");
    await expect.poll(() => page.textContent("#login-error")).toBe("Fel användarnamn eller lösenord.");
    await page.close();
  });

  it("shows links, terminal, modem and follows published state live (viewer: no actions)", async () => {
    const page = await browser.context.newPage();
    await loginPage(page, "viewer", "view-pass");
    await page.waitForURL(rig.url);
    await expect.poll(() => page.textContent("#conn")).toBe("Live");
    await expect.poll(() => page.textContent("#site")).toContain("ops-test");
    await expect.poll(() => page.textContent('#links tr[data-link="terminal-1"]')).toContain("klar");
    const terminal = page.locator('[data-terminal="terminal-1"]');
    await expect.poll(() => terminal.textContent()).toContain("02400500102001234");
    expect(await terminal.textContent()).toContain("TMO");
    expect(await terminal.textContent()).toContain("9001");
    await expect.poll(() => page.textContent('[data-modem="modem-1"]')).toContain("Sim Telecom");
    expect(await page.isVisible("#test-alert-form")).toBe(false);
    expect(await page.isVisible("#no-rights")).toBe(true);

    // Live, without reload: an alert and a conference in the docs/mqtt-interface.md shapes, and a link going down.
    await rig.gw.bus.publishAlertState("a-1", alertDoc("a-1"));
    await rig.gw.bus.publishConferenceState("conf-1", { id: "conf-1", name: "Samverkan Sthlm", state: "in-conference", since: new Date().toISOString(), patchedTalkgroup: "9001" });
    rig.gw.links.set("terminal-1", "unresponsive", "no answer to AT");
    const alert = page.locator('[data-alert="a-1"]');
    await expect.poll(() => alert.textContent()).toContain("kommer 1");
    const text = (await alert.textContent())!;
    for (const s of ["kommer ej 1", "försenad 1", "ej nådd 1", "anna", "bertil", "cecilia", "david", "Storgatan 1"]) expect(text).toContain(s);
    await expect.poll(() => page.textContent('[data-conference="conf-1"]')).toContain("i konferens");
    await expect.poll(() => page.textContent('#links tr[data-link="terminal-1"]')).toContain("svarar inte");
    // An update of the same alert replaces it: david answers late.
    const doc = alertDoc("a-1");
    (doc["recipients"] as Record<string, unknown>[])[3] = { person: "david", state: "acknowledged", answer: "coming", attempts: [] };
    doc["summary"] = { coming: 2, notComing: 1, delayed: 1, pending: 0, unreached: 0 };
    await rig.gw.bus.publishAlertState("a-1", doc);
    await expect.poll(() => alert.textContent()).toContain("kommer 2");
    rig.gw.links.set("terminal-1", "ready", "back");
    await expect.poll(() => page.textContent('#links tr[data-link="terminal-1"]')).toContain("klar");
    await page.screenshot({ path: join(SCREENSHOTS, "status-sv.png"), fullPage: true });

    await page.click("#lang");
    await expect.poll(() => alert.textContent()).toContain("coming 2");
    expect(await page.textContent("#alerts-section h2")).toBe("Alerts");
    await page.screenshot({ path: join(SCREENSHOTS, "status-en.png"), fullPage: true });
    await page.click("#lang");
    await page.close();
  });

  it("lets an operator start a test alert and a talk-group check through the request router", async () => {
    const sent: Record<string, unknown>[] = [];
    // The dispatch service's verb as the router sees it; the page must send kind "test" with the form's recipients.
    const off = rig.gw.bus.registerCustomVerb("alert/send", Type.Object({ kind: Type.String(), text: Type.String(), recipients: Type.Array(Type.String()) }, { additionalProperties: true }), (p) => {
      sent.push(p);
      return Promise.resolve({ id: "t-1", code: "9001", state: "active" });
    });
    const page = await browser.context.newPage();
    await loginPage(page, "operator", "op-pass");
    await page.waitForURL(rig.url);
    await expect.poll(() => page.isVisible("#test-alert-form")).toBe(true);
    await page.fill("#test-recipients", "issi:2009999, role:tib");
    await page.click("#test-alert");
    await expect.poll(() => page.textContent("#action-result")).toContain("Skickat");
    expect(sent).toEqual([{ kind: "test", text: expect.stringContaining("Provlarm") as string, recipients: ["issi:2009999", "role:tib"] }]);

    // A refusal from the verb is shown with its code.
    off();
    const off2 = rig.gw.bus.registerCustomVerb("alert/send", Type.Object({}, { additionalProperties: true }), () => Promise.reject(new GatewayError("CFG_UNKNOWN_TARGET", "no role tib")));
    await page.click("#test-alert");
    await expect.poll(() => page.textContent("#action-result")).toContain("CFG_UNKNOWN_TARGET");
    off2();

    await page.click('button.tg-check[data-terminal="terminal-1"]');
    const check = page.locator('[data-check="terminal-1"]');
    await expect.poll(() => check.textContent(), { timeout: 15_000 }).toContain("Saknas");
    expect(await check.textContent()).toContain("Fire-service");
    await page.screenshot({ path: join(SCREENSHOTS, "status-operator.png"), fullPage: true });
    await page.close();
  });

  it("keeps actions from a user without the right (server side, not only hidden buttons)", async () => {
    const cookie = await login(rig.url, "viewer", "view-pass");
    for (const action of ["test-alert", "talkgroup-check"]) {
      const r = await fetch(`${rig.url}api/actions/${action}`, { method: "POST", headers: { cookie, "content-type": "application/json" }, body: JSON.stringify({ terminal: "terminal-1" }) });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("HTTP_FORBIDDEN");
    }
  });

  it("fits a phone screen", async () => {
    const phone = await openBrowser({ width: 390, height: 844 });
    try {
      const page = await phone.context.newPage();
      await page.goto(`${rig.url}login`);
      await page.fill("#username", "viewer");
      await page.fill("#password", "view-pass");
      await page.click("button[type=submit]");
      await page.waitForURL(rig.url);
      await expect.poll(() => page.textContent('#links tr[data-link="terminal-1"]')).toContain("klar");
      // No horizontal scrolling on a 390 px wide screen.
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
      await page.screenshot({ path: join(SCREENSHOTS, "status-phone.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  }, 60_000);
});
