import { join } from "node:path";
import type { MessageBus } from "../ports/message-bus.js";
import type { TalkgroupReader } from "../ports/talkgroup-reader.js";
import type { Logger } from "../shared/logger.js";
import { TalkgroupCheckService } from "../talkgroups/check-service.js";
import { JsonlCheckStore } from "../talkgroups/check-store.js";
import { loadNamedPlan, loadPlan } from "../talkgroups/plan-loader.js";
import type { TerminalConfig } from "./gateway-config.js";

/**
 * Talk-group checks in the daemon: one service for every terminal that names a plan, checks on request
 * (`bridge/request/talkgroups/check`) and on its daily schedule, each result stored (fsynced JSON lines in
 * the state directory) and then published retained on `<base>/talkgroups/<terminal>/check`.
 */
export function startTalkgroupChecks(o: {
  terminals: readonly { config: TerminalConfig; reader: TalkgroupReader }[];
  stateDir: string;
  bus: MessageBus;
  log: Logger;
}): TalkgroupCheckService {
  const service = new TalkgroupCheckService({
    store: new JsonlCheckStore({ dir: join(o.stateDir, "talkgroup-checks"), log: o.log }),
    log: o.log,
    // Requests name shipped plans only: a path from the network would read (and echo) any file.
    resolvePlan: (name) => loadNamedPlan(name),
  });
  for (const { config, reader } of o.terminals) {
    const tg = config.talkgroups;
    if (!tg) continue;
    // Loaded on each check, so an edited plan file is picked up without a restart; a broken one fails
    // that check with CFG_INVALID instead of the daemon.
    service.addTerminal({ id: config.id, reader, plan: () => loadPlan(tg.plan).plan, method: tg.method, ...(tg.role ? { role: tg.role } : {}), ...(tg.schedule ? { schedule: tg.schedule } : {}) });
  }
  service.on("result", (id, report, trigger) => {
    o.log.info({ terminal: id, trigger, summary: report.summary, restored: report.restored }, "talk-group check done");
    void o.bus.publishTalkgroupCheck(id, { ...report, trigger }).catch((err: unknown) => o.log.warn({ err, terminal: id }, "talk-group check not published"));
  });
  service.on("skipped", (id, reason) => o.log.warn({ terminal: id, reason }, "scheduled talk-group check skipped"));
  service.on("error", (id, err) => o.log.error({ terminal: id, err }, "talk-group check failed"));
  service.start();
  return service;
}
