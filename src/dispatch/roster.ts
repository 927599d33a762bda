import { type Static, Type } from "@sinclair/typebox";
import { extname } from "node:path";
import { parse as parseYaml } from "yaml";
import { validateAgainst } from "../config/validate.js";
import { GatewayError } from "../shared/errors.js";
import { MAX_SSI } from "../shared/addresses.js";
import { E164_PATTERN, isSsi, SSI_PATTERN } from "./addresses.js";

/**
 * The roster: who holds which duty function (roles) and how each person is reached, channels in the order
 * they are tried. A small human-editable document (JSON or YAML), validated like the site config: every
 * problem is reported as `path: reason`.
 */
const strict = { additionalProperties: false } as const;
const RosterId = Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$" });

/** Exactly one of sds / sms / mqtt (an object with one key, so errors name the field: `…/channels/0/sms: …`). */
export const ChannelSchema = Type.Object(
  {
    sds: Type.Optional(Type.String({ pattern: SSI_PATTERN, description: "ISSI, 1-8 digits" })),
    sms: Type.Optional(Type.String({ pattern: E164_PATTERN, description: "E.164 number with +" })),
    mqtt: Type.Optional(Type.String({ pattern: "^[^#+\\u0000]{1,200}$", description: "device topic on the local broker" })),
  },
  { ...strict, minProperties: 1, maxProperties: 1 },
);

export const PersonSchema = Type.Object(
  {
    id: RosterId,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    channels: Type.Array(ChannelSchema, { minItems: 1, maxItems: 8 }),
  },
  strict,
);

export const RoleSchema = Type.Object(
  {
    id: RosterId,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    people: Type.Array(RosterId, { minItems: 1, maxItems: 50, description: "tried in this order" }),
    fallback: Type.Optional(Type.Object({ gssi: Type.String({ pattern: SSI_PATTERN }) }, strict)),
  },
  strict,
);

export const RosterSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    people: Type.Array(PersonSchema, { maxItems: 5000 }),
    roles: Type.Array(RoleSchema, { default: [], maxItems: 1000 }),
  },
  strict,
);

export type Roster = Static<typeof RosterSchema>;
export type Person = Static<typeof PersonSchema>;
export type Role = Static<typeof RoleSchema>;

/** The role name that means "every role" in a radio/SMS activation (`LARM alla …`). */
export const ALL_ROLES = "alla";

/** Cross-reference problems the schema cannot see, as `path: reason`. */
export function rosterProblems(r: Roster): string[] {
  const problems: string[] = [];
  const people = new Map<string, number>();
  r.people.forEach((p, i) => {
    const other = people.get(p.id);
    if (other !== undefined) problems.push(`/people/${i}/id: duplicate id "${p.id}" (also /people/${other})`);
    else people.set(p.id, i);
    p.channels.forEach((c, j) => {
      if (c.sds !== undefined && !isSsi(c.sds)) problems.push(`/people/${i}/channels/${j}/sds: ${c.sds} is above the 24-bit SSI range (${MAX_SSI})`);
    });
  });
  const roles = new Map<string, number>();
  r.roles.forEach((role, i) => {
    const other = roles.get(role.id);
    if (other !== undefined) problems.push(`/roles/${i}/id: duplicate id "${role.id}" (also /roles/${other})`);
    else roles.set(role.id, i);
    if (role.id.toLowerCase() === ALL_ROLES) problems.push(`/roles/${i}/id: "${role.id}" is reserved (it means every role in an activation)`);
    const seen = new Set<string>();
    role.people.forEach((pid, j) => {
      if (!people.has(pid)) problems.push(`/roles/${i}/people/${j}: unknown person "${pid}"`);
      if (seen.has(pid)) problems.push(`/roles/${i}/people/${j}: "${pid}" is listed twice`);
      seen.add(pid);
    });
    if (role.fallback && !isSsi(role.fallback.gssi)) problems.push(`/roles/${i}/fallback/gssi: ${role.fallback.gssi} is above the 24-bit SSI range`);
  });
  return problems;
}

/** Validates a roster object; throws CFG_INVALID with every `path: reason` in context.problems. */
export function validateRoster(raw: unknown, source: string): Roster {
  const roster = validateAgainst(RosterSchema, raw, source);
  const problems = rosterProblems(roster);
  if (problems.length > 0) throw new GatewayError("CFG_INVALID", `${source} is invalid:\n  ${problems.join("\n  ")}`, { context: { problems, source } });
  return roster;
}

export const isYamlPath = (p: string): boolean => [".yaml", ".yml"].includes(extname(p).toLowerCase());

/** Parses roster text (YAML by the file name, else JSON) and validates it. */
export function parseRoster(text: string, source: string): Roster {
  let raw: unknown;
  try {
    raw = isYamlPath(source) ? parseYaml(text, { schema: "core", uniqueKeys: true }) : JSON.parse(text);
  } catch (err) {
    throw new GatewayError("CFG_INVALID", `${source} is not valid ${isYamlPath(source) ? "YAML" : "JSON"}: ${(err as Error).message}`, { cause: err, context: { problems: [`/: ${(err as Error).message}`], source } });
  }
  return validateRoster(raw, source);
}

/** Lookups the dispatcher needs, built once per roster version. */
export class RosterIndex {
  readonly people = new Map<string, Person>();
  readonly roles = new Map<string, Role>();

  constructor(readonly roster: Roster) {
    for (const p of roster.people) this.people.set(p.id, p);
    for (const r of roster.roles) this.roles.set(r.id.toLowerCase(), r);
  }

  role(id: string): Role | undefined {
    return this.roles.get(id.toLowerCase());
  }
}
