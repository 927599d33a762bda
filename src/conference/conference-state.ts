/** The retained `<base>/conferences/<id>` payload (docs/mqtt-interface.md). */
export type ConferenceStateName = "idle" | "dialling" | "in-conference" | "failed" | "ended";

export interface ConferenceStateJson {
  id: string;
  name: string;
  state: ConferenceStateName;
  /** ISO time of the last state change. */
  since: string;
  detail?: string;
  /** GSSI of the talk group patched into the call while the patch is active. */
  patchedTalkgroup?: string;
  /**
   * The participants this gateway knows of: only its own leg (`who` is the site), while it is in the
   * conference. The bridge's other participants are not visible to a SIP client (README "Conferences").
   */
  participants: { who: string; since: string }[];
}
