import { DispatchService } from "../dispatch/dispatch-service.js";
import { systemClock } from "../shared/clock.js";
import type { Gateway } from "./gateway.js";

/**
 * Starts alert dispatch when the site config has a `dispatch` section: the domain service over the
 * gateway's terminals, modems, link registry and MQTT bus. Returns undefined without one.
 */
export async function startDispatch(gw: Gateway): Promise<DispatchService | undefined> {
  const { config, log } = gw.opts;
  if (!config.dispatch) return undefined;
  return DispatchService.start({
    config: config.dispatch,
    stateDir: config.stateDir,
    radios: gw.terminals,
    modems: gw.modems,
    links: gw.links,
    bus: gw.bus,
    clock: systemClock,
    log,
    ...(gw.conferenceDirectory ? { conferences: gw.conferenceDirectory } : {}),
    ...(gw.bus.publishDevice ? { publishDevice: (topic: string, payload: Record<string, unknown>) => gw.bus.publishDevice!(topic, payload) } : {}),
    // Devices behind the regional broker are reachable only while the uplink is: its loss ends their wait.
    ...(config.mqtt.uplink ? { mqttLink: "upstream" } : {}),
  });
}
