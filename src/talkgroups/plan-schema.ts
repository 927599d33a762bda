import { type Static, Type } from "@sinclair/typebox";
import type { ModeFamily } from "../ports/talkgroup-reader.js";

/**
 * A talk-group plan (`firmware-config/talkgroups/<plan>.json`): which groups a terminal must have, by GSSI,
 * with the alias the terminal shows, its folder and the mode it belongs to. This schema is the single source
 * of the TypeScript type and of `firmware-config/schema/talkgroup-plan.schema.json` (scripts/write-schemas.ts).
 * Unknown keys are rejected everywhere, so a misspelt `requried` cannot silently make a group optional.
 */

/** Largest 24-bit short subscriber identity (EN 300 392-1 clause 7: an SSI is 24 bits). */
export const MAX_GSSI = 0xffffff;

/**
 * Alias length assumed when a plan does not say: 12 characters. An assumption, not a measured figure: how many
 * characters a terminal shows depends on model and codeplug (docs/pei.md §13); set `maxNameLength` per plan.
 */
export const DEFAULT_MAX_NAME_LENGTH = 12;

const RoleId = Type.String({ pattern: "^[a-z0-9][a-z0-9-]{0,47}$", description: "Role id, e.g. kommun-tib" });

const PlanMode = Type.Union([Type.Literal("tmo"), Type.Literal("dmo"), Type.Literal("both")], {
  description: "Group list the group must be in: tmo (trunked, via the network), dmo (direct mode) or both",
});

/** One group of a plan. */
export const PlanGroupSchema = Type.Object(
  {
    gssi: Type.Integer({ minimum: 1, maximum: MAX_GSSI, description: "Group SSI, decimal, 24 bits" }),
    name: Type.String({ minLength: 1, maxLength: 64, pattern: "^[^\\x00-\\x1f\\x7f]+$", description: "Alias exactly as the terminal shows it" }),
    folder: Type.String({ minLength: 1, maxLength: 64, description: "Talk-group folder on the terminal" }),
    mode: PlanMode,
    required: Type.Boolean({ description: "A missing required group fails the check (exit 1); an optional one is only reported" }),
    roles: Type.Optional(Type.Array(RoleId, { minItems: 1, uniqueItems: true, description: "Roles that need the group; absent: every role" })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

const RoleDefinition = Type.Object(
  {
    id: RoleId,
    name: Type.String({ minLength: 1, maxLength: 120 }),
  },
  { additionalProperties: false },
);

/** A whole plan file. */
export const TalkgroupPlanSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ minLength: 1, maxLength: 80, description: "Plan name shown in reports" }),
    version: Type.String({ minLength: 1, maxLength: 32, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "Plan version, stored with every check" }),
    validFrom: Type.Optional(Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "First day the plan applies (YYYY-MM-DD)" })),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    example: Type.Optional(Type.Boolean({ description: "True for invented example plans: never use one on a real terminal" })),
    role: Type.Optional(RoleId),
    roles: Type.Optional(Type.Array(RoleDefinition, { description: "Role catalogue: ids that groups and plans may reference" })),
    terminalProfiles: Type.Optional(Type.Array(Type.String({ pattern: "^[a-z0-9][a-z0-9-]*$" }), { uniqueItems: true, description: "Terminal profiles (firmware-config/terminals) the plan is written for" })),
    maxNameLength: Type.Optional(Type.Integer({ minimum: 4, maximum: 64, description: `Characters the terminals show of an alias (default ${DEFAULT_MAX_NAME_LENGTH})` })),
    groups: Type.Array(PlanGroupSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** A validated plan. */
export type TalkgroupPlan = Static<typeof TalkgroupPlanSchema>;
/** A validated plan group. */
export type PlanGroup = Static<typeof PlanGroupSchema>;
/** `tmo`, `dmo` or `both`. */
export type PlanMode = PlanGroup["mode"];

/** The list families a group must be found in. */
export function wantedFamilies(mode: PlanMode): ModeFamily[] {
  return mode === "both" ? ["tmo", "dmo"] : [mode];
}

/**
 * Groups of the plan that apply to `role`: groups without `roles` apply to everyone. Without a role, a
 * per-role plan (`role` set) applies as a whole and a regional plan's groups all apply.
 */
export function groupsForRole(plan: TalkgroupPlan, role: string | undefined): PlanGroup[] {
  if (role === undefined) return plan.groups;
  return plan.groups.filter((g) => g.roles === undefined || g.roles.includes(role) || plan.role === role);
}

/** Families any of `groups` needs, in a stable order (TMO first). */
export function familiesNeeded(groups: readonly PlanGroup[]): ModeFamily[] {
  const set = new Set(groups.flatMap((g) => wantedFamilies(g.mode)));
  return (["tmo", "dmo"] as const).filter((f) => set.has(f));
}
