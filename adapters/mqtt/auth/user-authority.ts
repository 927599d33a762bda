import { statSync } from "node:fs";
import type { BrokerConfig } from "../mqtt-config.js";
import { canPublish, loadAclFile, parseAcl, rulesFor, type AclConfig } from "./acl.js";
import { verifyPassword } from "./password-hash.js";
import { loadUsersFile, type UsersMap } from "./users-file.js";

/**
 * The broker's users and ACL as one authority, for the broker process and for the status page: the same
 * accounts log in to both, and what a user may do on the page is what the ACL lets them publish as a
 * request (`<base>/bridge/request/alert/send`, `…/talkgroups/check`). No ACL configured means everyone
 * who may connect may read the gateway's topics and nothing else.
 */
export interface BrokerAuth {
  users: UsersMap;
  acl: AclConfig;
}

/** Reads the users file and the ACL (file or inline) of a broker configuration, plus its inline users. */
export async function loadBrokerAuth(b: BrokerConfig, baseTopic: string): Promise<BrokerAuth> {
  const users: UsersMap = b.usersFile ? await loadUsersFile(b.usersFile) : new Map<string, string>();
  for (const u of b.users ?? []) users.set(u.username, u.hash);
  let acl: AclConfig;
  if (b.aclFile) acl = await loadAclFile(b.aclFile);
  else {
    const parsed = parseAcl(b.acl ?? `topic read ${baseTopic}/#\npattern read ${baseTopic}/#`);
    if (!parsed.ok) throw new Error(`inline ACL: ${parsed.reason}`);
    acl = parsed.value;
  }
  return { users, acl };
}

function mtimeOf(path: string | undefined): number {
  if (!path) return 0;
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/** Password checks and publish rights against the broker's accounts; files are re-read when they change. */
export class UserAuthority {
  private auth: Promise<BrokerAuth> | undefined;
  private stamp = "";

  constructor(
    private readonly broker: BrokerConfig,
    private readonly baseTopic: string,
  ) {}

  private current(): Promise<BrokerAuth> {
    const stamp = `${mtimeOf(this.broker.usersFile)}:${mtimeOf(this.broker.aclFile)}`;
    if (!this.auth || stamp !== this.stamp) {
      this.stamp = stamp;
      this.auth = loadBrokerAuth(this.broker, this.baseTopic);
      this.auth.catch(() => (this.auth = undefined));
    }
    return this.auth;
  }

  /** scrypt check in constant time; an unknown user costs the same as a known one. */
  async verify(username: string, password: string): Promise<boolean> {
    const { users } = await this.current();
    return verifyPassword(password, users.get(username));
  }

  /** True when the user's ACL rules let them publish the request of `verb`. */
  async mayRequest(username: string, verb: string): Promise<boolean> {
    const { acl } = await this.current();
    return canPublish(rulesFor(acl, username, `http:${username}`), `${this.baseTopic}/bridge/request/${verb}`).allowed;
  }
}
