import { randomBytes } from "node:crypto";

/**
 * Logged-in browsers: an unguessable 256-bit token in an HttpOnly, SameSite=Strict cookie, kept in memory
 * (a restart asks for a new login). Bounded: the oldest session goes when the cap is reached.
 */
export interface Session {
  user: string;
  expires: number;
}

const MAX_SESSIONS = 1000;
export const SESSION_COOKIE = "rakelgw_session";

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(user: string): string {
    const token = randomBytes(32).toString("base64url");
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(token, { user, expires: this.now() + this.lifetimeMs });
    return token;
  }

  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.sessions.get(token);
    if (s && s.expires <= this.now()) {
      this.sessions.delete(token);
      return undefined;
    }
    return s;
  }

  delete(token: string | undefined): void {
    if (token) this.sessions.delete(token);
  }
}

/** The value of one cookie in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}
