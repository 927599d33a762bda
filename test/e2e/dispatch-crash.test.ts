import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DispatchSite, until } from "../helpers/dispatch-site.js";

/**
 * kill -9 of the daemon at random points during a 20-recipient alert, 20 times (the whole process group,
 * as systemd would). Afterwards every recipient has been reached, and no recipient got the alert twice on
 * one channel except where the daemon recorded a resend after a restart (the documented at-least-once
 * window: the crash fell between the "about to send" record and the record of its result).
 */
const N = 20;
const people = Array.from({ length: N }, (_, i) => ({ id: `p${String(i + 1).padStart(2, "0")}`, name: `Person ${i + 1}`, channels: [{ sds: String(2001100 + i) }] }));
const site = new DispatchSite();

// A small deterministic PRNG so a failure can be replayed (seed printed on failure).
const seed = Number(process.env["CRASH_SEED"] ?? Date.now() % 100000);
let x = seed || 1;
const rnd = (): number => ((x = (x * 48271) % 2147483647) / 2147483647);

beforeAll(async () => {
  // answerDelayMs makes each AT command take ~20 ms, so 20 sends span ~1 s and the kills land among them.
  await site.start({ roster: { people, roles: [] }, sim: { faults: { answerDelayMs: 20 } }, dispatch: { ackTimeoutS: 600 } });
  await site.ready();
}, 60_000);

afterAll(async () => {
  await site.stop();
});

describe("kill -9 during a 20-recipient alert, 20 times", () => {
  it(`every recipient reached, repeats only inside the recorded window (seed ${seed})`, async () => {
    const r = await site.request("alert/send", { id: "crash-1", kind: "activation", text: "Krasch-test", recipients: people.map((p) => `person:${p.id}`) });
    expect(r["status"]).toBe("ok");
    for (let round = 0; round < N; round++) {
      await new Promise((res) => setTimeout(res, Math.floor(rnd() * 1200)));
      await site.kill9();
      site.startDaemon();
      await site.ready();
    }
    await until(() => people.every((p) => site.sdsTo(p.channels[0]!.sds).length >= 1), 60_000, "every recipient reached", () => site.tail());
    const doc = await until(() => {
      const a = site.alert("crash-1");
      return a && a.recipients.length === N && a.recipients.every((x) => x.attempts.some((t) => t.result !== "failed")) ? a : undefined;
    }, 30_000, "every attempt recorded", () => site.tail());
    const resends = (doc.recipients as { resentAfterRestart?: number }[]).reduce((n, e) => n + (e.resentAfterRestart ?? 0), 0);
    const total = people.reduce((n, p) => n + site.sdsTo(p.channels[0]!.sds).length, 0);
    console.log(`crash test (seed ${seed}): ${N} kills, ${total} SDS for ${N} recipients, ${resends} recorded resends`);
    for (const p of people) {
      const got = site.sdsTo(p.channels[0]!.sds).length;
      const entry = (doc.recipients as { person?: string; resentAfterRestart?: number }[]).find((e) => e.person === p.id)!;
      expect(got, `${p.id} got ${got} SDS; recorded resends ${entry.resentAfterRestart ?? 0}`).toBeLessThanOrEqual(1 + (entry.resentAfterRestart ?? 0));
    }
  }, 300_000);
});
