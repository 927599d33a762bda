import { GatewayError } from "../shared/errors.js";
import type { ConferenceConfig } from "./conference-config.js";
import { pinText, readPin } from "./pin-source.js";

/**
 * The configured conferences by id, and the dial-in text an alert of kind `conference` carries (bridge
 * number and PIN, capability 2:1 "the right codes and telephone numbers"). The template is configurable; the
 * default is Swedish because the text reaches duty officers.
 */
export const DEFAULT_DIAL_IN_TEMPLATE = "{name}: ring {number}, kod {pin}";

export class ConferenceRegistry {
  private readonly byId = new Map<string, ConferenceConfig>();

  constructor(
    conferences: readonly ConferenceConfig[],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    for (const c of conferences) this.byId.set(c.id, c);
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  all(): ConferenceConfig[] {
    return [...this.byId.values()];
  }

  get(id: string): ConferenceConfig {
    const c = this.byId.get(id);
    if (!c) throw new GatewayError("SIP_UNKNOWN_CONFERENCE", `no conference "${id}" (known: ${this.ids.join(", ") || "none"})`, { context: { conference: id } });
    return c;
  }

  /**
   * The text people need to dial in by telephone: `{name}`, `{number}` (dialIn, or the bridge URI's user
   * part) and `{pin}` are replaced. For alert texts only: this string contains the PIN and must not be logged.
   */
  dialInText(id: string, template = DEFAULT_DIAL_IN_TEMPLATE): string {
    const c = this.get(id);
    return fillDialIn(template, c, pinText(readPin(c.id, c.pin, this.env)));
  }

  /** `dialInText` with the PIN replaced by `••••` (the PIN is not even read): for logs and published documents. */
  redactedDialInText(id: string, template = DEFAULT_DIAL_IN_TEMPLATE): string {
    return fillDialIn(template, this.get(id), REDACTED_PIN);
  }
}

export const REDACTED_PIN = "••••";

function fillDialIn(template: string, c: ConferenceConfig, pin: string): string {
  const values: Record<string, string> = { name: c.name, number: dialInNumber(c), pin };
  return template.replace(/\{(name|number|pin)\}/g, (_, k: string) => values[k] ?? "");
}

/** `dialIn`, else the user part of `sip:+4681234@bridge` (`+4681234`), else the whole URI without the scheme. */
export function dialInNumber(c: Pick<ConferenceConfig, "dialIn" | "uri">): string {
  if (c.dialIn) return c.dialIn;
  const rest = c.uri.replace(/^sips?:/, "");
  const at = rest.indexOf("@");
  return at > 0 ? rest.slice(0, at) : rest;
}
