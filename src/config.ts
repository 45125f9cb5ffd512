import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { DEFAULT_ERP_TIME_ZONE, isTimeZone, parseErpHours, type ErpHours } from '../machines/index.js';
import { DEFAULT_RESOURCE_LIMITS } from '../machines/catalog.js';
import type { ResourceReadings } from '../machines/types.js';

/**
 * Environment → typed, validated configuration (DESIGN §8). Every problem is collected and reported
 * as one readable line, so that an operator fixes them all in one go instead of one per restart.
 */

/** An ERP login. */
export interface ErpAccount {
  name: string;
  password: string | null;
}

/** The service's configuration. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  apiToken: string;
  /** True when the token was generated at start (it is printed once, never logged). */
  apiTokenGenerated: boolean;
  logLevel: string;
  /** `LOG_FORMAT`: `json` or `pretty`; null chooses by the output (pretty on a terminal). */
  logFormat: 'json' | 'pretty' | null;
  erpUrl: string | null;
  /**
   * Where exports come from: a folder of hand-made exports (`ERP_EXPORT_DIR`), the real ERP through a
   * browser (`ERP_URL`), or — with neither — the built-in ERP simulator through a browser.
   */
  erpMode: 'directory' | 'erp' | 'simulator';
  /** The service account: runs the shared services (products, prices). */
  serviceAccount: ErpAccount;
  /** Agent accounts: each runs the per-agent services (customers, orders, ddt, invoices). */
  agentAccounts: ErpAccount[];
  /** Folder of hand-exported PDFs used instead of a browser, or null. */
  exportDir: string | null;
  chromiumPath: string | null;
  /** `ERP_HOURS`: the daily window in which runs may start (null: any hour; default 07:00-20:00 against a real ERP). */
  erpHours: ErpHours | null;
  /** `ERP_TIME_ZONE`: where ERP_HOURS and the login budget's day are read (Europe/Rome). */
  erpTimeZone: string;
  /** `BROWSER_RECYCLE_MINUTES` (90) in ms: Chromium is relaunched, between runs, once this old. */
  browserRecycleMs: number;
  /** `ERP_SESSION_MAX_AGE_MINUTES` (240) in ms: an ERP session older than this is dropped before the account's next run. */
  sessionMaxAgeMs: number;
  syncConcurrency: number;
  /** Divides every interval, offset and backoff (a demo watches a whole stagger cycle in minutes). */
  timeScale: number;
  /** Share of active rows an export must hold before absent rows are deleted. */
  completenessMin: number;
  /**
   * Resource guard limits (`GUARD_EVENT_LOOP_MS`, `GUARD_RSS_MB`, `GUARD_CHROMIUM_RSS_MB`): over one, the
   * effective concurrency steps down, and at 1 new starts are held (`machines/resource-guard.ts`).
   */
  resourceLimits: ResourceReadings;
  inspect: boolean;
  /** Interface the inspector relay listens on (`INSPECT_HOST`): loopback unless asked, it relays machine context. */
  inspectHost: string;
  /** Port of the inspector relay (`INSPECT_PORT`). */
  inspectPort: number;
}

/** The configuration is invalid; `problems` holds one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Without an ERP, the built-in simulator runs 60× faster than real time, so that a whole stagger cycle
 * (prices every 180 min at +45 min) is watched in a few minutes.
 */
const DEMO_TIME_SCALE = 60;
/**
 * The real ERP's operators blacklisted a predecessor that synced around the clock; what worked was
 * syncing only 07:00-20:00 Rome time (ERP-UI §2). The simulator and hand-made exports need no window.
 */
const REAL_ERP_HOURS = '07:00-20:00';
/** The simulator's agent accounts when `ERP_ACCOUNTS` is unset: two agents, as in the field. */
const SIMULATOR_PASSWORD = 'demo';
const SIMULATOR_AGENTS: ErpAccount[] = [
  { name: 'agent1', password: SIMULATOR_PASSWORD },
  { name: 'agent2', password: SIMULATOR_PASSWORD },
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_FORMATS = ['json', 'pretty'] as const;
/**
 * Numbers as an operator writes them: decimal digits with an optional fraction. `Number()` alone would
 * also take `0x0F3F`, `1e3` or `0b11`, which nobody means in a setting.
 */
const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;
/** Account names end up in file names, URLs and target ids (`orders@name`). */
const ACCOUNT_NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** A host name, an IPv4 address or an IPv6 address (what `listen({ host })` accepts). */
const HOST_NAME = /^[A-Za-z0-9.-]{1,253}$|^[0-9A-Fa-f:.]{2,45}$/;

/** Reads and validates the configuration; throws a `ConfigError` listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const str = (name: string): string | null => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? null : v.trim();
  };
  const num = (name: string, fallback: number, check: (n: number) => boolean, rule: string): number => {
    const raw = str(name);
    if (raw === null) return fallback;
    const n = DECIMAL.test(raw) ? Number(raw) : NaN;
    if (!Number.isFinite(n) || !check(n)) {
      problems.push(`${name}=${JSON.stringify(raw)}: must be ${rule}`);
      return fallback;
    }
    return n;
  };

  const exportDir = str('ERP_EXPORT_DIR');
  const erpUrl = str('ERP_URL');
  const erpMode = exportDir !== null ? 'directory' : erpUrl !== null ? 'erp' : 'simulator';
  const port = num('PORT', 3000, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer port 0–65535');
  const syncConcurrency = num('SYNC_CONCURRENCY', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 64, 'an integer 1–64');
  const timeScale = num('TIME_SCALE', erpMode === 'simulator' ? DEMO_TIME_SCALE : 1, (n) => n >= 1 && n <= 100_000, 'a number 1–100000 (how many times faster schedules run)');
  const inspectPort = num('INSPECT_PORT', 8080, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer port 0–65535');
  const inspectHost = str('INSPECT_HOST') ?? '127.0.0.1';
  if (!HOST_NAME.test(inspectHost)) problems.push(`INSPECT_HOST=${JSON.stringify(inspectHost)}: must be a host name or IP address such as 127.0.0.1`);
  const completenessMin = num('COMPLETENESS_MIN', 0.7, (n) => n >= 0 && n <= 1, 'a share between 0 and 1');
  const limit = (name: string, fallback: number, unit: string) => num(name, fallback, (n) => n > 0, `a positive number of ${unit}`);
  const resourceLimits: ResourceReadings = {
    eventLoopDelay: limit('GUARD_EVENT_LOOP_MS', DEFAULT_RESOURCE_LIMITS.eventLoopDelay, 'milliseconds (p99 event-loop delay)'),
    rss: limit('GUARD_RSS_MB', DEFAULT_RESOURCE_LIMITS.rss, 'megabytes (process RSS)'),
    chromiumRss: limit('GUARD_CHROMIUM_RSS_MB', DEFAULT_RESOURCE_LIMITS.chromiumRss, 'megabytes (proportional set size of every Chromium process together)'),
  };

  const erpTimeZone = str('ERP_TIME_ZONE') ?? DEFAULT_ERP_TIME_ZONE;
  if (!isTimeZone(erpTimeZone)) problems.push(`ERP_TIME_ZONE=${JSON.stringify(erpTimeZone)}: must be a time zone of the IANA database such as Europe/Rome`);
  const erpHours = readErpHours(str('ERP_HOURS'), erpMode, problems);
  const minutes = (name: string, fallback: number): number =>
    num(name, fallback, (n) => Number.isInteger(n) && n >= 1 && n <= 1440, 'a whole number of minutes 1–1440') * 60_000;
  const browserRecycleMs = minutes('BROWSER_RECYCLE_MINUTES', 90);
  const sessionMaxAgeMs = minutes('ERP_SESSION_MAX_AGE_MINUTES', 240);

  const logLevel = str('LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const logFormat = str('LOG_FORMAT');
  if (logFormat !== null && !(LOG_FORMATS as readonly string[]).includes(logFormat)) problems.push(`LOG_FORMAT=${JSON.stringify(logFormat)}: must be ${LOG_FORMATS.join(' or ')} (unset: pretty on a terminal, json otherwise)`);

  if (erpUrl !== null && !/^https?:\/\/[^\s]+$/.test(erpUrl)) problems.push(`ERP_URL=${JSON.stringify(erpUrl)}: must be an http(s) URL such as https://erp.example.com/Archibald`);

  let apiToken = str('API_TOKEN');
  if (apiToken !== null && apiToken.length < 16) problems.push('API_TOKEN: must be at least 16 characters (or unset to generate one)');
  const apiTokenGenerated = apiToken === null;
  apiToken ??= randomBytes(24).toString('base64url');

  const username = str('ERP_USERNAME') ?? 'default';
  if (!ACCOUNT_NAME.test(username)) problems.push(`ERP_USERNAME=${JSON.stringify(username)}: use letters, digits, ".", "_" or "-" (at most 64)`);
  const serviceAccount: ErpAccount = { name: username, password: str('ERP_PASSWORD') ?? (erpMode === 'simulator' ? SIMULATOR_PASSWORD : null) };
  const agentAccounts = parseAccounts(str('ERP_ACCOUNTS'), problems) ?? (erpMode === 'simulator' ? SIMULATOR_AGENTS : [serviceAccount]);
  if (erpMode === 'erp') {
    if (serviceAccount.password === null) problems.push('ERP_PASSWORD: required with ERP_URL (the password of ERP_USERNAME)');
    for (const a of agentAccounts) {
      if (a.password === null) problems.push(`ERP_ACCOUNTS: account "${a.name}" needs a password with ERP_URL (name:password)`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port,
    host: str('HOST') ?? '127.0.0.1',
    dataDir: resolve(str('DATA_DIR') ?? './data'),
    apiToken,
    apiTokenGenerated,
    logLevel,
    logFormat: logFormat as Config['logFormat'],
    erpUrl,
    erpMode,
    serviceAccount,
    agentAccounts,
    exportDir: exportDir === null ? null : resolve(exportDir),
    chromiumPath: str('CHROMIUM_PATH'),
    erpHours,
    erpTimeZone,
    browserRecycleMs,
    sessionMaxAgeMs,
    syncConcurrency,
    timeScale,
    completenessMin,
    resourceLimits,
    inspect: ['1', 'true', 'yes'].includes((str('INSPECT') ?? '').toLowerCase()),
    inspectHost,
    inspectPort,
  };
}

/** `ERP_HOURS=07:00-20:00` or `off`; unset: 07:00-20:00 against a real ERP, off otherwise. */
function readErpHours(raw: string | null, erpMode: Config['erpMode'], problems: string[]): ErpHours | null {
  if (raw === null) return erpMode === 'erp' ? parseErpHours(REAL_ERP_HOURS) : null;
  if (raw.toLowerCase() === 'off') return null;
  const hours = parseErpHours(raw);
  if (hours === null) problems.push(`ERP_HOURS=${JSON.stringify(raw)}: must be HH:MM-HH:MM in ERP_TIME_ZONE, such as ${REAL_ERP_HOURS}, or off`);
  return hours;
}

/** `ERP_ACCOUNTS=agent1:secret1,agent2:secret2` (the password may be omitted for a directory source). */
function parseAccounts(raw: string | null, problems: string[]): ErpAccount[] | null {
  if (raw === null) return null;
  const accounts: ErpAccount[] = [];
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const colon = item.indexOf(':');
    const name = colon < 0 ? item : item.slice(0, colon);
    if (!ACCOUNT_NAME.test(name)) {
      problems.push(`ERP_ACCOUNTS: account name ${JSON.stringify(name)} must use letters, digits, ".", "_" or "-" (at most 64)`);
      continue;
    }
    if (accounts.some((a) => a.name === name)) {
      problems.push(`ERP_ACCOUNTS: account ${JSON.stringify(name)} is listed twice`);
      continue;
    }
    accounts.push({ name, password: colon < 0 ? null : item.slice(colon + 1) });
  }
  if (accounts.length === 0) problems.push('ERP_ACCOUNTS: lists no account (use agent1:password1,agent2:password2)');
  return accounts;
}
