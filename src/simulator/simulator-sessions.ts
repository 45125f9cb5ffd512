/**
 * Server-side sessions of the simulated ERP, as ASP.NET keeps them: a random id in a cookie, expired
 * after an idle time, plus the per-account login counts that prove whether a client floods the ERP.
 */
import { randomBytes } from 'node:crypto';

/** The cookie the ERP sets (ASP.NET's name). */
export const SESSION_COOKIE = 'ASP.NET_SessionId';

/** Login counters of one account. */
export interface LoginCount {
  /** Successful logins. */
  succeeded: number;
  /** Refused attempts (bad credentials or the refused-login fault). */
  refused: number;
}

interface Session {
  account: string;
  lastSeen: number;
}

/** Sessions and login counts. */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly logins = new Map<string, LoginCount>();

  constructor(
    private readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  /** Opens a session for an account after a successful login; returns its id. */
  open(account: string): string {
    this.count(account).succeeded++;
    const id = randomBytes(12).toString('base64url');
    this.sessions.set(id, { account, lastSeen: this.now() });
    return id;
  }

  /** Records a refused login attempt. */
  refused(account: string): void {
    this.count(account).refused++;
  }

  /** The account of a live session (and marks it used), or null when unknown or idle too long. */
  touch(id: string | undefined): string | null {
    if (id === undefined) return null;
    const session = this.sessions.get(id);
    if (!session) return null;
    const now = this.now();
    if (now - session.lastSeen > this.idleMs) {
      this.sessions.delete(id);
      return null;
    }
    session.lastSeen = now;
    return session.account;
  }

  /** Ends a session. */
  close(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  /** Ends every session; returns how many there were. */
  expireAll(): number {
    const n = this.sessions.size;
    this.sessions.clear();
    return n;
  }

  /** Live sessions (idle ones not yet swept count too: the ERP only notices them at the next request). */
  get size(): number {
    return this.sessions.size;
  }

  /** Login counts per account. */
  loginCounts(): Record<string, LoginCount> {
    return Object.fromEntries([...this.logins].map(([account, c]) => [account, { ...c }]));
  }

  private count(account: string): LoginCount {
    let c = this.logins.get(account);
    if (!c) this.logins.set(account, (c = { succeeded: 0, refused: 0 }));
    return c;
  }
}

/** The session id in a `Cookie` header, or undefined. */
export function sessionIdOf(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
