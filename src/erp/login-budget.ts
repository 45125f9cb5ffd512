/**
 * A per-account budget of ERP logins per day, persisted so that a restart loop cannot reset it. The ERP
 * locks an account that logs in too often; a sync that keeps failing must stop logging in long before
 * that, and say why.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { DEFAULT_ERP_TIME_ZONE, nextLocalMidnight } from '../../machines/index.js';
import { SourceError } from './export-source.js';

/** Default logins per account per day (DESIGN §6). */
export const DEFAULT_LOGINS_PER_DAY = 15;

/** Options of `LoginBudget`. */
export interface LoginBudgetOptions {
  /** The JSON file the counts live in (created on first use). */
  file: string;
  perDay?: number;
  /** The budget resets at midnight of this time zone (the ERP's, Europe/Rome). */
  timeZone?: string;
  now?: () => Date;
  /** Told when a damaged budget file is replaced. */
  logger?: Logger;
}

interface BudgetFile {
  version: 1;
  /** Per account: the day counted and the logins attempted on it. */
  accounts: Record<string, { day: string; count: number }>;
}

/** Logins used today, per account. */
export class LoginBudget {
  readonly perDay: number;
  private readonly timeZone: string;
  private readonly dayFormat: Intl.DateTimeFormat;
  private readonly now: () => Date;
  private data: BudgetFile | null = null;
  /** Writes are chained so that two accounts logging in at once do not lose a count. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: LoginBudgetOptions) {
    this.perDay = options.perDay ?? DEFAULT_LOGINS_PER_DAY;
    this.now = options.now ?? (() => new Date());
    this.timeZone = options.timeZone ?? DEFAULT_ERP_TIME_ZONE;
    // en-CA formats as YYYY-MM-DD.
    this.dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: this.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /**
   * Takes one login for `account`, or throws a `login-budget-exhausted` `SourceError` when today's budget
   * is used up: its own class, so that the orchestrator holds this account until the reset instead of
   * counting an ERP failure that opens the breaker for everyone. Every attempt counts, refused ones
   * included: the ERP counts them too.
   */
  take(account: string): Promise<void> {
    const result = this.queue.then(async () => {
      const data = await this.load();
      const today = this.today();
      const entry = data.accounts[account];
      const used = entry?.day === today ? entry.count : 0;
      if (used >= this.perDay) {
        const resetsAt = new Date(nextLocalMidnight(this.now().getTime(), this.timeZone)).toISOString();
        throw new SourceError(
          'login-budget-exhausted',
          `login budget of ERP account "${account}" is used up: ${used} logins today (limit ${this.perDay} per day, so that the ERP does not lock the account for login flooding); no new login before midnight ${this.timeZone} (${resetsAt})`,
        );
      }
      data.accounts[account] = { day: today, count: used + 1 };
      await this.save(data);
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Logins taken today by `account`. */
  async used(account: string): Promise<number> {
    await this.queue;
    const entry = (await this.load()).accounts[account];
    return entry?.day === this.today() ? entry.count : 0;
  }

  private today(): string {
    return this.dayFormat.format(this.now());
  }

  private async load(): Promise<BudgetFile> {
    if (this.data) return this.data;
    try {
      const parsed = JSON.parse(await readFile(this.options.file, 'utf8')) as Partial<BudgetFile>;
      this.data = { version: 1, accounts: parsed.accounts ?? {} };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && !(err instanceof SyntaxError)) throw err;
      // A missing or damaged file starts an empty budget; damage is rare (writes are atomic).
      if (err instanceof SyntaxError) this.options.logger?.warn({ file: this.options.file, err }, 'the login budget file is damaged; starting a new one');
      this.data = { version: 1, accounts: {} };
    }
    return this.data;
  }

  /** Writes through a temporary file and a rename, so a crash never leaves a half-written budget. */
  private async save(data: BudgetFile): Promise<void> {
    await mkdir(dirname(this.options.file), { recursive: true });
    const temp = `${this.options.file}.${randomUUID()}.tmp`;
    try {
      await writeFile(temp, `${JSON.stringify(data, null, 2)}\n`);
      await rename(temp, this.options.file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
