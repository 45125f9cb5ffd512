/**
 * The simulator's switchable faults: the ways the real ERP has been seen to fail, set at start or through
 * `POST /__admin/faults`. A switch is `true` (on until switched off), a number (on for the next N
 * occurrences, so a test can show that a retry succeeds) or `false`/`0` (off).
 */
import { EXPORT_TYPES, type ExportType } from '../exports/registry.js';
import { layoutVariants } from './layouts.js';

/** On (`true`), off (`false`, `0`) or on for the next N occurrences. */
export type FaultSwitch = boolean | number;

/** Faults that stay in force until changed. */
export interface FaultSettings {
  /** Every HTML page (login, list views) answers this many milliseconds late. */
  slowPagesMs?: number;
  /** List views (and their export post-backs) answer HTTP 500. */
  http500?: FaultSwitch;
  /** Logins are refused even with the right password (a locked account, a maintenance window). */
  refuseLogin?: FaultSwitch;
  /** An export sends about half of its bytes, then nothing more, never ending the response. */
  stallDownload?: FaultSwitch;
  /** An export ends at 60 % of its bytes, without `%%EOF`. */
  truncatePdf?: FaultSwitch;
  /** Column layout per export (a `layoutVariants` name, e.g. customers `8p`); `null` restores the default. */
  layout?: Partial<Record<ExportType, string | null>>;
  /** The next export clicks do nothing: no error, no file (seen on DDT, ERP-UI §6). */
  exportClickIgnored?: FaultSwitch;
  /** The next export clicks show the inline "Requested objects cannot be loaded" banner instead of a file. */
  objectsBanner?: FaultSwitch;
  /** The next export clicks navigate to the list again, showing the "Requested objects cannot be loaded" banner. */
  objectsNavigation?: FaultSwitch;
  /** The next sessions' first load of DDT or invoices shows rows with empty cells (exported empty too) until the filter is switched away and back. */
  emptyCells?: FaultSwitch;
  /** The next list page loads open a modal DevExpress popup that swallows toolbar clicks until hidden. */
  strayPopup?: FaultSwitch;
  /** Orders: `SetValue` on the filter combo causes a full page navigation. */
  setValueNavigates?: boolean;
  /** DDT and invoices: `SetValue` on the filter combo changes the display but never reaches the server. */
  setValueIgnored?: boolean;
  /** Every list lays its toolbar out as in a narrow window: the filter and the export sit in the overflow. */
  narrowLayout?: boolean;
  /** ERP maintenance changed the combos' prefix from `xaf_a0` to `xaf_a2` (ids and values). */
  comboPrefixChanged?: boolean;
  /** The UI is English whatever `Accept-Language` says (a server set up in another country). */
  englishUi?: boolean;
}

/** One-off actions carried out when posted. */
export interface FaultActions {
  /** Clears every fault first. */
  reset?: boolean;
  /** Ends every session now (the next navigation of any user redirects to `Login.aspx`). */
  expireSessions?: boolean;
  /**
   * Leaves "Questo mese" selected in a user's filter combo, as an agent may (ERP-EXPORTS §8): for one
   * account or all, one list or every list with a filter.
   */
  stickyFilter?: { account?: string; service?: ExportType };
  /** Saves a products grid filter in a user's profile (for one account or all): the export then holds a tenth of the rows. */
  savedGridFilter?: { account?: string };
}

/** The body of `POST /__admin/faults`. */
export type FaultRequest = FaultSettings & FaultActions;

/** Current faults as reported by the admin API. */
export interface FaultState {
  slowPagesMs: number;
  http500: FaultSwitch;
  refuseLogin: FaultSwitch;
  stallDownload: FaultSwitch;
  truncatePdf: FaultSwitch;
  exportClickIgnored: FaultSwitch;
  objectsBanner: FaultSwitch;
  objectsNavigation: FaultSwitch;
  emptyCells: FaultSwitch;
  strayPopup: FaultSwitch;
  setValueNavigates: boolean;
  setValueIgnored: boolean;
  narrowLayout: boolean;
  comboPrefixChanged: boolean;
  englishUi: boolean;
  layout: Partial<Record<ExportType, string>>;
}

/** The faults that fire per occurrence. */
export type CountedFault = 'http500' | 'refuseLogin' | 'stallDownload' | 'truncatePdf' | 'exportClickIgnored' | 'objectsBanner' | 'objectsNavigation' | 'emptyCells' | 'strayPopup';

/** The faults that stay on until switched off. */
export type StandingFault = 'setValueNavigates' | 'setValueIgnored' | 'narrowLayout' | 'comboPrefixChanged' | 'englishUi';

const COUNTED: readonly CountedFault[] = ['http500', 'refuseLogin', 'stallDownload', 'truncatePdf', 'exportClickIgnored', 'objectsBanner', 'objectsNavigation', 'emptyCells', 'strayPopup'];
const STANDING: readonly StandingFault[] = ['setValueNavigates', 'setValueIgnored', 'narrowLayout', 'comboPrefixChanged', 'englishUi'];

const SWITCH_SCHEMA = { anyOf: [{ type: 'boolean' }, { type: 'integer', minimum: 0 }] } as const;

/** JSON schema of `FaultRequest` (unknown fields are refused, so a typo does not silently do nothing). */
export const FAULT_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    slowPagesMs: { type: 'integer', minimum: 0, maximum: 600_000 },
    http500: SWITCH_SCHEMA,
    refuseLogin: SWITCH_SCHEMA,
    stallDownload: SWITCH_SCHEMA,
    truncatePdf: SWITCH_SCHEMA,
    ...Object.fromEntries(COUNTED.slice(4).map((name) => [name, SWITCH_SCHEMA])),
    ...Object.fromEntries(STANDING.map((name) => [name, { type: 'boolean' }])),
    layout: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(EXPORT_TYPES.map((t) => [t, { anyOf: [{ type: 'string', enum: Object.keys(layoutVariants(t)) }, { type: 'null' }] }])),
    },
    reset: { type: 'boolean' },
    expireSessions: { type: 'boolean' },
    stickyFilter: {
      type: 'object',
      additionalProperties: false,
      properties: { account: { type: 'string' }, service: { type: 'string', enum: [...EXPORT_TYPES] } },
    },
    savedGridFilter: { type: 'object', additionalProperties: false, properties: { account: { type: 'string' } } },
  },
} as const;

/** Remaining occurrences: `Infinity` for a switch that is simply on. */
const remaining = (value: FaultSwitch): number => (value === true ? Number.POSITIVE_INFINITY : value === false ? 0 : value);
const asSwitch = (count: number): FaultSwitch => (count === Number.POSITIVE_INFINITY ? true : count === 0 ? false : count);

/** The simulator's fault state. */
export class Faults {
  private slowPagesMs = 0;
  private readonly counts = new Map<CountedFault, number>();
  private readonly standing = new Set<StandingFault>();
  private readonly layout = new Map<ExportType, string>();

  constructor(initial: FaultSettings = {}) {
    this.apply(initial);
  }

  /** Merges settings into the current faults (fields not given stay as they are). */
  apply(settings: FaultSettings): void {
    if (settings.slowPagesMs !== undefined) this.slowPagesMs = settings.slowPagesMs;
    for (const name of COUNTED) {
      const value = settings[name];
      if (value !== undefined) this.counts.set(name, remaining(value));
    }
    for (const name of STANDING) {
      if (settings[name] === true) this.standing.add(name);
      else if (settings[name] === false) this.standing.delete(name);
    }
    for (const [type, variant] of Object.entries(settings.layout ?? {}) as [ExportType, string | null][]) {
      if (variant === null) this.layout.delete(type);
      else if (!layoutVariants(type)[variant]) throw new Error(`${type} has no layout variant ${variant}`);
      else this.layout.set(type, variant);
    }
  }

  /** Switches every fault off. */
  reset(): void {
    this.slowPagesMs = 0;
    this.counts.clear();
    this.standing.clear();
    this.layout.clear();
  }

  /** True when the fault is on; uses up one occurrence of a counted switch. */
  take(name: CountedFault): boolean {
    const left = this.counts.get(name) ?? 0;
    if (left <= 0) return false;
    this.counts.set(name, left - 1);
    return true;
  }

  /** True while a standing fault is on. */
  on(name: StandingFault): boolean {
    return this.standing.has(name);
  }

  /** Delay of every page, ms. */
  get pageDelayMs(): number {
    return this.slowPagesMs;
  }

  /** The layout variant an export is rendered in now, or undefined for its default. */
  layoutOf(type: ExportType): string | undefined {
    return this.layout.get(type);
  }

  /** The current faults, as JSON. */
  snapshot(): FaultState {
    const count = (name: CountedFault): FaultSwitch => asSwitch(this.counts.get(name) ?? 0);
    return {
      slowPagesMs: this.slowPagesMs,
      http500: count('http500'),
      refuseLogin: count('refuseLogin'),
      stallDownload: count('stallDownload'),
      truncatePdf: count('truncatePdf'),
      exportClickIgnored: count('exportClickIgnored'),
      objectsBanner: count('objectsBanner'),
      objectsNavigation: count('objectsNavigation'),
      emptyCells: count('emptyCells'),
      strayPopup: count('strayPopup'),
      ...(Object.fromEntries(STANDING.map((name) => [name, this.standing.has(name)])) as Record<StandingFault, boolean>),
      layout: Object.fromEntries(this.layout),
    };
  }
}
