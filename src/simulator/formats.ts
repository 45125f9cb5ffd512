/**
 * Italian cell formatting as the ERP prints it — the exact inverse of what the parsers read
 * (ERP-EXPORTS §1 "Formats"). Every function takes a typed record value and returns the cell text;
 * a `\n` in the result is a hard line break inside the cell.
 */

/** How a money column prints: with ` €` and two decimals, or (invoices) bare with trailing zeros dropped. */
export type MoneyStyle = 'euro' | 'plain';

/** How a boolean column prints. */
export type BoolStyle = 'checkbox' | 'yesno';

/**
 * Formats a number the Italian way: `.` thousands, `,` decimals, at least `minDecimals` and at most
 * `maxDecimals` decimals (trailing zeros beyond the minimum are dropped).
 */
export function formatItalianNumber(value: number, minDecimals: number, maxDecimals: number): string {
  const factor = 10 ** maxDecimals;
  const rounded = Math.round(Math.abs(value) * factor) / factor;
  const negative = value < 0 && rounded !== 0;
  let [whole = '0', fraction = ''] = rounded.toFixed(maxDecimals).split('.');
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length < minDecimals) fraction = fraction.padEnd(minDecimals, '0');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${negative ? '-' : ''}${grouped}${fraction ? `,${fraction}` : ''}`;
}

/** Money as most exports print it: `1.234,56 €`, `-45,50 €`. */
export function formatMoney(value: number): string {
  return `${formatItalianNumber(value, 2, 2)} €`;
}

/** Money as the invoice export prints it: no `€`, trailing zeros dropped (`2.112,7`, `6.732`, `-45,5`). */
export function formatPlainAmount(value: number): string {
  return formatItalianNumber(value, 0, 2);
}

/** Money in the given style. */
export function formatAmount(value: number, style: MoneyStyle): string {
  return style === 'euro' ? formatMoney(value) : formatPlainAmount(value);
}

/** Percentages: `21,49 %`. */
export function formatPercent(value: number): string {
  return `${formatItalianNumber(value, 2, 2)} %`;
}

/** Whole numbers with thousands dot: `1.234`. */
export function formatInt(value: number): string {
  return formatItalianNumber(value, 0, 0);
}

/**
 * Decimal quantities. Most exports print two decimals (`1,00`); the invoice export, like its money,
 * drops trailing zeros (`5`, `-2,5`).
 */
export function formatQuantity(value: number, style: MoneyStyle): string {
  return style === 'euro' ? formatItalianNumber(value, 2, 2) : formatItalianNumber(value, 0, 2);
}

/** `2026-01-21` → `21/01/2026`. */
export function formatDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) throw new Error(`formatDate: not an ISO date: ${iso}`);
  return `${match[3]}/${match[2]}/${match[1]}`;
}

/** `2026-01-20T12:04:22` → `20/01/2026 12:04:22` (local time, no zone, as the ERP prints it). */
export function formatDateTime(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})$/.exec(iso);
  if (!match) throw new Error(`formatDateTime: not an ISO date-time: ${iso}`);
  return `${formatDate(match[1] as string)} ${match[2]}`;
}

/** Checkbox columns print `Checked`/`Unchecked`; yes/no columns `Sì`/`No`. */
export function formatBool(value: boolean, style: BoolStyle): string {
  if (style === 'yesno') return value ? 'Sì' : 'No';
  return value ? 'Checked' : 'Unchecked';
}

/** The three tracking fields of a DDT record. */
export interface Tracking {
  /** Upper-case courier name, the first word of the link text (`FEDEX`, `UPS`, `DHL`). */
  courier: string;
  /** The rest of the link text. */
  number: string;
  /** The `href`, whitespace removed. */
  url: string;
}

/**
 * How one courier's anchor is written: its tracking URL and where the ERP's HTML breaks into lines.
 * The line breaks fall inside the URL (the parser removes whitespace from the `href`) and between the
 * courier word and the number (the parser splits the link text at its first space).
 */
interface CourierTemplate {
  url(number: string): string;
  lines(url: string, number: string): [string, string, string];
}

/** Splits `url` before `marker` (or after it when `after`), for a line break in the `href`. */
function splitAt(url: string, marker: string, after = false): [string, string] {
  const index = url.indexOf(marker);
  if (index < 0) throw new Error(`tracking url ${url} lacks ${marker}`);
  const cut = after ? index + marker.length : index;
  return [url.slice(0, cut), url.slice(cut)];
}

const COURIERS: Readonly<Record<string, CourierTemplate>> = {
  FEDEX: {
    url: (n) => `https://www.fedex.com/fedextrack/?trknbr=${n}&locale=it_IT`,
    lines: (url, n) => {
      const [head, tail] = splitAt(url, '?', true);
      return [`<a href = "${head}`, `${tail}"`, `target="_blank">fedex ${n}</a>`];
    },
  },
  UPS: {
    url: (n) => `https://www.ups.com/track?loc=it_IT&tracknum=${n}`,
    lines: (url, n) => {
      const [head, tail] = splitAt(url, '&tracknum=');
      return [`<a href="${head}`, `${tail}" target="_blank">Ups`, `${n}</a>`];
    },
  },
  DHL: {
    url: (n) => `https://www.dhl.com/it-it/home/tracking/tracking-express.html?submit=1&tracking-id=${n}`,
    lines: (url, n) => {
      const [head, tail] = splitAt(url, 'tracking-express');
      return [`<a href="${head}`, `${tail}"`, `target="_blank">Dhl ${n}</a>`];
    },
  },
};

/** The couriers the generator knows how to link. */
export const TRACKING_COURIERS = Object.keys(COURIERS);

/** The tracking fields for a courier and tracking number, with the URL the ERP links to. */
export function trackingFor(courier: string, number: string): Tracking {
  const template = COURIERS[courier];
  if (!template) throw new Error(`unknown courier ${courier}`);
  return { courier, number, url: template.url(number) };
}

/**
 * The tracking cell: the raw HTML anchor over three lines, e.g.
 * `<a href = "https://www.fedex.com/fedextrack/?` / `trknbr=445291890750&locale=it_IT"` /
 * `target="_blank">fedex 445291890750</a>`. Unknown couriers fall back to a two-line anchor.
 */
export function formatTracking(tracking: Tracking): string {
  const template = COURIERS[tracking.courier];
  const lines = template
    ? template.lines(tracking.url, tracking.number)
    : [`<a href="${tracking.url}"`, `target="_blank">${tracking.courier.toLowerCase()} ${tracking.number}</a>`];
  return lines.join('\n');
}
