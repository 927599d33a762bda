import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BASE, DispatchSite, REMOTE, until } from "../helpers/dispatch-site.js";

/**
 * Retained alert documents are kept for the newest `dispatch.archive.retainedFinished` finished alerts and
 * cleared (empty retained message) for older ones, on the embedded broker and, through the uplink, on the
 * regional one; alert/get and alert/list still answer for a cleared alert.
 */
const ROSTER = { people: [{ id: "anna", name: "Anna Andersson", channels: [{ sds: "2001001" }] }], roles: [] };

const site = new DispatchSite();

/** Asks until the answer has `n` entries (the uplink mirrors with a delay), then returns it; 15 s at most. */
async function settled(ask: () => Promise<string[]>, n: number): Promise<string[]> {
  const end = Date.now() + 15_000;
  for (;;) {
    const got = await ask();
    if (got.length <= n || Date.now() > end) return got;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  await site.start({ roster: ROSTER, uplink: true, dispatch: { archive: { retainedFinished: 1 } } });
  await site.ready();
}, 60_000);

afterAll(async () => {
  await site.stop();
}, 30_000);

describe("retained alert documents of finished alerts", () => {
  it("only the newest retainedFinished finished alerts keep a retained document, locally and upstream", async () => {
    for (const id of ["keep-1", "keep-2", "keep-3"]) {
      expect(await site.request("alert/send", { id, kind: "activation", text: "x", recipients: ["person:anna"] })).toMatchObject({ status: "ok" });
      const c = await site.request("alert/cancel", { id });
      expect(c, JSON.stringify(c)).toMatchObject({ status: "ok", data: { state: "cancelled" } });
    }
    const active = await site.request("alert/send", { id: "keep-4", kind: "activation", text: "x", recipients: ["person:anna"] });
    expect(active).toMatchObject({ status: "ok" });
    await until(() => site.alert("keep-4"), 10_000, "the active alert's document");
    expect(await settled(() => site.retainedTopics(`${BASE}/alerts/+`), 2)).toEqual([`${BASE}/alerts/keep-3`, `${BASE}/alerts/keep-4`]);
    expect(await settled(() => site.retainedTopics(`${REMOTE}/alerts/+`, "upstream"), 2)).toEqual([`${REMOTE}/alerts/keep-3`, `${REMOTE}/alerts/keep-4`]);
    expect(await site.request("alert/get", { id: "keep-1" })).toMatchObject({ status: "ok", data: { id: "keep-1", state: "cancelled" } });
    const list = await site.request("alert/list", {});
    expect((list["data"] as { alerts: { id: string }[] }).alerts.map((a) => a.id)).toEqual(["keep-4", "keep-3", "keep-2", "keep-1"]);
  }, 40_000);
});
