import { readFile } from "node:fs/promises";
import { Low, type Adapter } from "lowdb";
import { stringify as toYaml } from "yaml";
import { writeFileDurable } from "../shared/durable-file.js";
import { GatewayError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { storeError } from "./alert-store.js";
import { isYamlPath, parseRoster, RosterIndex, validateRoster, type Roster } from "./roster.js";

/**
 * The roster file through lowdb (the owner's choice for small human-editable documents), with an adapter
 * that validates on read and writes through the durable-file primitive: lowdb's own writer (steno)
 * renames without fsync, which can leave an empty file after a power cut (lowdb #549). The file keeps its
 * format: YAML stays YAML, JSON stays JSON.
 */
export class DurableRosterAdapter implements Adapter<Roster> {
  constructor(readonly path: string) {}

  async read(): Promise<Roster | null> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw new GatewayError("CFG_INVALID", `cannot read roster ${this.path}: ${(err as Error).message}`, { cause: err, context: { problems: [`/: ${(err as Error).message}`] } });
    }
    return parseRoster(text, this.path);
  }

  async write(data: Roster): Promise<void> {
    const text = isYamlPath(this.path) ? toYaml(data) : `${JSON.stringify(data, null, 2)}\n`;
    await writeFileDurable(this.path, text, { mode: 0o644 });
  }
}

export class RosterStore {
  private idx: RosterIndex;

  private constructor(
    private readonly db: Low<Roster>,
    private readonly log: Logger,
  ) {
    this.idx = new RosterIndex(db.data);
  }

  /** Loads the roster (a missing file is an empty roster, reported as a warning). */
  static async open(path: string, log: Logger): Promise<RosterStore> {
    const db = new Low<Roster>(new DurableRosterAdapter(path), { people: [], roles: [] });
    await db.read();
    const store = new RosterStore(db, log.child({ mod: "roster" }));
    if (db.data.people.length === 0) store.log.warn({ path }, "roster is empty or missing: alerts can only go to direct addresses");
    else store.log.info({ path, people: db.data.people.length, roles: db.data.roles.length }, "roster loaded");
    return store;
  }

  get index(): RosterIndex {
    return this.idx;
  }

  get roster(): Roster {
    return this.db.data;
  }

  /** Validates, stores durably, then takes effect (for new alerts; running alerts keep their ladders). */
  async set(raw: unknown, by: string): Promise<Roster> {
    const next = validateRoster(raw, "roster");
    const before = { people: this.db.data.people.length, roles: this.db.data.roles.length };
    const prev = this.db.data;
    this.db.data = next;
    try {
      await this.db.write();
    } catch (err) {
      this.db.data = prev;
      throw storeError(err, "roster");
    }
    this.idx = new RosterIndex(next);
    this.log.info({ event: "roster-changed", by, before, after: { people: next.people.length, roles: next.roles.length } }, "roster changed");
    return next;
  }
}
