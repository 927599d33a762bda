import sinon from "sinon";
import { afterEach, describe, expect, it } from "vitest";
import { type RadioRig, radioRig, until } from "../helpers/radio-rig.js";

let rig: RadioRig | undefined;
const restore: (() => void)[] = [];
afterEach(async () => {
  for (const r of restore.splice(0)) r();
  await rig?.close();
  rig = undefined;
});

describe("Reopening the port after a long unplug (goal R6)", () => {
  it("reopens within 5 s of the replug after a long outage, even with the longest backoff (R6)", async () => {
    rig = await radioRig();
    const r = rig;
    // Backoff jitter at its maximum: every reopen waits the full ceiling, the worst case R6 must cover.
    const random = sinon.stub(Math, "random").returns(1);
    restore.push(() => random.restore());
    const opens = r.openAttempts;
    r.port.unplug();
    // Five failed reopens (after 0.25, 0.75, 1.75, 3.75 and 7.75 s): the backoff has grown past 5 s.
    await until(() => r.openAttempts >= opens + 5, 10_000, "five failed reopen attempts");
    const t0 = Date.now();
    r.port.replug();
    await r.waitHealth("ready", 9000);
    const took = Date.now() - t0;
    console.log(`memory port, worst-case backoff: ready ${took} ms after the replug that followed ${r.openAttempts - opens - 1} failed reopens`);
    expect(took).toBeLessThan(5000);
  }, 25_000);
});
