import { afterEach, describe, expect, it } from "vitest";
import { SIM_DEFAULT_PLAN, tgRig, type TgRig } from "./tg-rig.js";

/** Issue 14 item 7: one lost line must not end a talk-group check. */
let rig: TgRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("a talk-group check over a line that loses an answer", () => {
  it.each([1, 3, 6])("retries the idempotent query whose answer was lost (command %i of the check) and reports every group", async (n) => {
    rig = await tgRig();
    const from = rig.commands.length;
    // Drop the answer of the n-th command of the check.
    let seen = 0;
    const off = rig.sim.on("command", () => {
      if (++seen === n - 1) rig!.sim.setFaults({ dropNextAnswers: 1 });
    });
    if (n === 1) rig.sim.setFaults({ dropNextAnswers: 1 });
    const r = await rig.check(SIM_DEFAULT_PLAN);
    off();
    expect(r.groups.map((g) => g.status)).toEqual(Array(7).fill("present"));
    expect(r.summary).toMatchObject({ outcome: "all-present", exitCode: 0 });
    expect(rig.commands.length - from).toBeGreaterThan(0);
  });
});

describe("a talk-group check whose terminal stops answering before anything was checked", () => {
  it("fails with an error worded for a check that says nothing was changed", async () => {
    rig = await tgRig();
    let seen = 0;
    const off = rig.sim.on("command", () => {
      if (++seen === 1) rig!.sim.setFaults({ dropNextAnswers: 8 });
    });
    const err = await rig.check(SIM_DEFAULT_PLAN).catch((e: unknown) => e);
    off();
    expect(err).toMatchObject({ code: "AT_ABORTED", context: { checked: 0 } });
    expect((err as Error).message).toMatch(/^talk-group check of radio-a ended before any group was checked \(nothing was changed\)/);
  });
});
