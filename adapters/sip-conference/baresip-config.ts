import type { SipConfig } from "./sip-config.js";

/**
 * baresip 1.0's `config` and `accounts` files, written from the gateway's `sip` section (one folder per
 * agent, `baresip -f DIR`). Modules: g711 (PCMU/PCMA, what every bridge speaks), the audio driver(s) named
 * by the audio devices, account, menu (the command set the mqtt module forwards to) and mqtt (control).
 * vumeter reports audio levels as events. Left out on purpose: `stdio`/`cons` (need a terminal), `ausine` (cannot feed an 8 kHz call), video.
 */
export interface BrokerEndpoint {
  host: string;
  port: number;
  username: string;
  password: string;
  clientId: string;
  /** baresip's topic base; it publishes on `/<base>/event` and reads `/<base>/command/+`. */
  baseTopic: string;
}

export interface AgentLine {
  /** The line (conference id). */
  id: string;
  answer: "manual" | "auto";
}

export function renderBaresipConfig(sip: Pick<SipConfig, "listen" | "audio">, broker: BrokerEndpoint): string {
  const drivers = new Set([sip.audio.source, sip.audio.player].map((d) => d.split(",")[0]!));
  return [
    "# Written by rakelgw at every start; edit the gateway's `sip` section instead.",
    "poll_method epoll",
    `sip_listen ${sip.listen}`,
    `audio_player ${sip.audio.player}`,
    `audio_source ${sip.audio.source}`,
    `audio_alert ${sip.audio.player.startsWith("aufile,") ? "aufile,/dev/null" : sip.audio.player}`,
    "module_path /usr/lib/baresip/modules",
    "module g711.so",
    ...[...drivers].sort().map((d) => `module ${d}.so`),
    // Audio levels as VU_RX_REPORT/VU_TX_REPORT events (dBov, about twice a second) instead of a bar on stderr:
    // the far side's level is the "phone side speaks" signal of the talk-group patch.
    "module vumeter.so",
    "vumeter_stderr no",
    "module_app account.so",
    "module_app menu.so",
    "module_app mqtt.so",
    `mqtt_broker_host ${broker.host}`,
    `mqtt_broker_port ${broker.port}`,
    `mqtt_broker_user ${broker.username}`,
    `mqtt_broker_password ${broker.password}`,
    `mqtt_broker_clientid ${broker.clientId}`,
    `mqtt_basetopic ${broker.baseTopic}`,
    "",
  ].join("\n");
}

/** The address-of-record of a line: `sip:<user>-<line>@<domain>`. */
export function lineAor(sip: Pick<SipConfig, "listen" | "account">, line: string): string {
  const domain = sip.account.domain ?? sip.listen;
  return `sip:${sip.account.user}-${line}@${domain}`;
}

/**
 * One account per line, so each conference has its own call and its events name it (`accountaor`).
 * With a registrar the first line registers and every line authenticates its calls with the same
 * credentials through it; without one nothing registers (`regint=0`).
 */
export function renderAccounts(sip: Pick<SipConfig, "listen" | "account">, lines: readonly AgentLine[], password: string | undefined): string {
  const a = sip.account;
  return (
    lines
      .map((l, i) => {
        const params = [`answermode=${l.answer}`];
        if (a.registrar) {
          params.push(`regint=${i === 0 ? a.registerIntervalS : 0}`, `outbound="${a.registrar};lr"`);
          if (a.authUser) params.push(`auth_user=${a.authUser}`);
          if (password !== undefined) params.push(`auth_pass=${password}`);
        } else params.push("regint=0");
        return `<${lineAor(sip, l.id)}>;${params.join(";")}`;
      })
      .join("\n") + "\n"
  );
}

