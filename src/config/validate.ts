import type { Static, TSchema } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { GatewayError } from "../shared/errors.js";

/**
 * Validates data against a TypeBox schema (which is JSON Schema) and reports every problem as
 * `path: reason`, as zigbee2mqtt's settings validation does. Unknown keys fail where the schema says
 * `additionalProperties: false`. Defaults are applied first.
 */
export function validateAgainst<S extends TSchema>(schema: S, data: unknown, source: string): Static<S> {
  const withDefaults = Value.Default(schema, structuredClone(data));
  const problems = [...Value.Errors(schema, withDefaults)].map((e) => `${e.path || "/"}: ${e.message}`);
  if (problems.length > 0) {
    throw new GatewayError("CFG_INVALID", `${source} is invalid:\n  ${problems.slice(0, 20).join("\n  ")}`, { context: { problems, source } });
  }
  return withDefaults;
}
