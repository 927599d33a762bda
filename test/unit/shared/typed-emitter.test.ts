import { describe, expect, it } from "vitest";
import { TypedEmitter } from "../../../src/shared/typed-emitter.js";

interface Events {
  tick: (n: number) => void;
  named: (a: string, b: number) => void;
}

function make() {
  const errors: { err: unknown; event: string }[] = [];
  const em = new TypedEmitter<Events>((err, event) => errors.push({ err, event }));
  return { em, errors };
}

describe("TypedEmitter", () => {
  it("calls listeners in subscription order with all arguments", () => {
    const { em } = make();
    const calls: string[] = [];
    em.on("named", (a, b) => calls.push(`1:${a}${b}`));
    em.on("named", (a, b) => calls.push(`2:${a}${b}`));
    em.emit("named", "x", 7);
    expect(calls).toEqual(["1:x7", "2:x7"]);
  });

  it("a throwing listener is reported and does not stop the others or the caller", () => {
    const { em, errors } = make();
    const boom = new Error("boom");
    const seen: number[] = [];
    em.on("tick", () => {
      throw boom;
    });
    em.on("tick", (n) => seen.push(n));
    expect(() => em.emit("tick", 1)).not.toThrow();
    expect(seen).toEqual([1]);
    expect(errors).toEqual([{ err: boom, event: "tick" }]);
  });

  it("without an error handler a throwing listener is swallowed", () => {
    const em = new TypedEmitter<Events>();
    const seen: number[] = [];
    em.on("tick", () => {
      throw new Error("x");
    });
    em.on("tick", (n) => seen.push(n));
    expect(() => em.emit("tick", 2)).not.toThrow();
    expect(seen).toEqual([2]);
  });

  it("the unsubscribe function removes only its listener", () => {
    const { em } = make();
    const seen: string[] = [];
    const off = em.on("tick", () => seen.push("a"));
    em.on("tick", () => seen.push("b"));
    off();
    off();
    em.emit("tick", 0);
    expect(seen).toEqual(["b"]);
    expect(em.listenerCount("tick")).toBe(1);
  });

  it("once fires a single time, also when its listener throws", () => {
    const { em, errors } = make();
    let n = 0;
    em.once("tick", () => {
      n++;
      throw new Error("once");
    });
    em.emit("tick", 1);
    em.emit("tick", 2);
    expect(n).toBe(1);
    expect(errors).toHaveLength(1);
    expect(em.listenerCount("tick")).toBe(0);
  });

  it("once can be cancelled before it fires", () => {
    const { em } = make();
    let n = 0;
    const off = em.once("tick", () => n++);
    off();
    em.emit("tick", 1);
    expect(n).toBe(0);
  });

  it("a listener added during emit is not called for that emit", () => {
    const { em } = make();
    const seen: string[] = [];
    em.on("tick", () => {
      seen.push("first");
      em.on("tick", () => seen.push("late"));
    });
    em.emit("tick", 1);
    expect(seen).toEqual(["first"]);
  });

  it("emitting an event nobody listens to does nothing", () => {
    const { em, errors } = make();
    expect(() => em.emit("named", "a", 1)).not.toThrow();
    expect(errors).toEqual([]);
    expect(em.listenerCount("named")).toBe(0);
  });

  it("removeAll drops every listener of every event", () => {
    const { em } = make();
    let n = 0;
    em.on("tick", () => n++);
    em.on("named", () => n++);
    em.removeAll();
    em.emit("tick", 1);
    em.emit("named", "a", 1);
    expect(n).toBe(0);
  });
});
