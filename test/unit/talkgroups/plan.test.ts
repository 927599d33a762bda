import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { lintPlans, planProblems, type PlanFile } from "../../../src/talkgroups/plan-lint.js";
import { listPlans, loadNamedPlan, loadPlan, parsePlan, resolvePlanPath, talkgroupPlansDir } from "../../../src/talkgroups/plan-loader.js";
import { isGatewayError } from "../../../src/shared/errors.js";
import { familiesNeeded, groupsForRole, type TalkgroupPlan } from "../../../src/talkgroups/plan-schema.js";

const dir = mkdtempSync(join(tmpdir(), "rakelgw-plans-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const minimal = { name: "P", version: "1", groups: [{ gssi: 9001, name: "A", folder: "F", mode: "tmo", required: true }] };

describe("talk-group plans: loading", () => {
  it("ships the regional example plan and one per role, all marked as examples", () => {
    expect(listPlans()).toEqual(["brand-ledningscentral-example", "kommun-tib-example", "lansstyrelsen-example", "stockholm-region-example"]);
    for (const name of listPlans()) {
      const { plan } = loadPlan(name);
      expect(plan.example).toBe(true);
      expect(plan.name).toMatch(/EXAMPLE/);
    }
    expect(loadPlan("kommun-tib-example").plan.role).toBe("kommun-tib");
  });

  it("loads a JSON plan file exactly as written, by path", () => {
    const path = join(dir, "p.json");
    writeFileSync(path, JSON.stringify(minimal));
    const { plan } = loadPlan(path);
    expect(plan).toEqual(minimal);
    expect(resolvePlanPath("stockholm-region-example")).toBe(join(talkgroupPlansDir(), "stockholm-region-example.json"));
  });

  it.each([
    ["an unknown key", { ...minimal, colour: "red" }, /\/colour/],
    ["a misspelt group key", { ...minimal, groups: [{ ...minimal.groups[0], requried: true }] }, /\/groups\/0/],
    ["a GSSI above 24 bits", { ...minimal, groups: [{ ...minimal.groups[0], gssi: 16777216 }] }, /\/groups\/0\/gssi/],
    ["GSSI 0", { ...minimal, groups: [{ ...minimal.groups[0], gssi: 0 }] }, /\/groups\/0\/gssi/],
    ["an unknown mode", { ...minimal, groups: [{ ...minimal.groups[0], mode: "gateway" }] }, /\/groups\/0\/mode/],
    ["a control character in a name", { ...minimal, groups: [{ ...minimal.groups[0], name: "A\rAT+CTOM=1" }] }, /\/groups\/0\/name/],
    ["a GSSI twice", { ...minimal, groups: [minimal.groups[0], { ...minimal.groups[0], name: "B" }] }, /\/groups\/1\/gssi: 9001 is already used by \/groups\/0/],
    ["an impossible validFrom", { ...minimal, validFrom: "2025-02-30" }, /\/validFrom: 2025-02-30 is not a calendar date/],
    ["no groups", { ...minimal, groups: [] }, /\/groups/],
  ])("rejects %s with the path of the problem", (_what, raw, re) => {
    expect(() => parsePlan(JSON.stringify(raw), "x.json")).toThrow(re);
  });

  it("loads a YAML plan to exactly what its JSON twin loads to", () => {
    const json = loadPlan("stockholm-region-example").plan;
    const yamlPath = join(dir, "twin.yaml");
    writeFileSync(yamlPath, stringifyYaml(json));
    expect(loadPlan(yamlPath).plan).toEqual(json);
  });

  it("reads YAML strictly: 'no' stays a string and a duplicate key is an error", () => {
    const yamlPath = join(dir, "strict.yml");
    writeFileSync(yamlPath, "name: P\nname: Q\n");
    expect(() => loadPlan(yamlPath)).toThrow(/is not valid YAML/);
    writeFileSync(yamlPath, "name: no\nversion: '1'\ngroups:\n  - { gssi: 9001, name: A, folder: F, mode: tmo, required: true }\n");
    expect(loadPlan(yamlPath).plan.name).toBe("no");
  });

  it("rejects broken JSON, broken YAML and missing files with CFG_INVALID", () => {
    expect(() => parsePlan("{", "x.json")).toThrow(/x.json is not valid JSON/);
    const yaml = join(dir, "p.yaml");
    writeFileSync(yaml, "name: [P\n");
    expect(() => loadPlan(yaml)).toThrow(/p.yaml is not valid YAML/);
    expect(() => loadPlan("no-such-plan")).toThrow(/shipped plans: brand-ledningscentral-example/);
  });

  it("selects groups by role and knows which mode lists are needed", () => {
    const { plan } = loadPlan("stockholm-region-example");
    expect(groupsForRole(plan, undefined)).toHaveLength(plan.groups.length);
    const kommun = groupsForRole(plan, "kommun-tib").map((g) => g.gssi);
    expect(kommun).toEqual([9020, 9021, 9022, 9030, 9031, 9040, 9041]);
    expect(familiesNeeded(groupsForRole(plan, "kommun-tib"))).toEqual(["tmo"]);
    expect(familiesNeeded(groupsForRole(plan, "brand-lc"))).toEqual(["tmo", "dmo"]);
  });
});

describe("talk-group plans: lint across files", () => {
  const files = (): PlanFile[] => listPlans().map((n) => ({ file: `${n}.json`, plan: loadPlan(n).plan }));
  const known = { knownProfiles: ["etsi-generic", "motorola-mtm5400", "sepura-srg3900"] };

  it("finds no problem in the shipped plans", () => {
    expect(lintPlans(files(), known)).toEqual([]);
    for (const f of files()) expect(planProblems(f.plan)).toEqual([]);
  });

  it("finds names too long or outside ISO 8859-1, unknown roles and profiles, conflicting GSSIs and example naming", () => {
    const base = structuredClone(loadPlan("stockholm-region-example").plan);
    const bad: TalkgroupPlan = {
      ...structuredClone(minimal),
      name: "Bad",
      role: "nobody",
      terminalProfiles: ["airbus-thr880i"],
      groups: [
        { gssi: 9020, name: "SAMV Stockholm 1", folder: "SSR Samverkan", mode: "tmo", required: true },
        { gssi: 9100, name: "Δ group", folder: "F", mode: "tmo", required: true, roles: ["ghost"] },
      ],
    };
    const problems = lintPlans(
      [
        { file: "stockholm-region-example.json", plan: base },
        { file: "bad-example.json", plan: bad },
        { file: "dup.json", plan: { ...structuredClone(minimal), name: "Bad" } as TalkgroupPlan },
      ],
      known,
    );
    const text = problems.join("\n");
    expect(text).toMatch(/bad-example.json: \/groups\/0\/name: "SAMV Stockholm 1" has 16 characters; the terminals show 12/);
    expect(text).toMatch(/bad-example.json: \/groups\/1\/name: "Δ group" has characters outside ISO 8859-1/);
    expect(text).toMatch(/bad-example.json: \/terminalProfiles\/0: no terminal profile "airbus-thr880i"/);
    expect(text).toMatch(/bad-example.json: \/role: role "nobody" is not defined/);
    expect(text).toMatch(/bad-example.json: \/groups\/1\/roles: role "ghost" is not defined/);
    expect(text).toMatch(/bad-example.json: \/groups\/0: GSSI 9020 is "SAMV Stockholm 1" .* but "SAMV Sthlm 1" .* in stockholm-region-example.json/);
    expect(text).toMatch(/bad-example.json: \/example: the file name says example; set "example": true/);
    expect(text).toMatch(/dup.json: \/name: "Bad" is also the name of bad-example.json/);
  });

  it("the JSON Schema file is generated from the TypeBox schema and rejects unknown keys", () => {
    const schema = JSON.parse(readFileSync(join(talkgroupPlansDir(), "../schema/talkgroup-plan.schema.json"), "utf8")) as Record<string, unknown>;
    expect(schema["additionalProperties"]).toBe(false);
    expect(schema["required"]).toEqual(["name", "version", "groups"]);
  });
});

describe("loadNamedPlan (plans named in requests from the network)", () => {
  it("loads a shipped plan by name", () => {
    expect(loadNamedPlan("kommun-tib-example").role).toBe("kommun-tib");
  });

  it("refuses paths, '.' and '..' with CFG_INVALID and a message without any file system path", () => {
    for (const name of ["..", ".", "../etc/passwd", "/etc/passwd", "x.json", "no-such-plan"]) {
      let err: unknown;
      try {
        loadNamedPlan(name);
      } catch (e) {
        err = e;
      }
      expect(isGatewayError(err) && err.code).toBe("CFG_INVALID");
      expect((err as Error).message).not.toContain(talkgroupPlansDir());
      expect((err as Error).message).not.toContain(process.cwd());
    }
  });
});
