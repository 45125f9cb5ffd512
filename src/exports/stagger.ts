/**
 * The stagger: how far after boot each timed export's first slot falls. It is a relation between the
 * exports, so it is kept in one place: 15 minutes apart, so that two ERP exports never start in the same
 * minute (each one holds an ERP session and a browser page for minutes). DDT and invoices have no timer:
 * they follow orders.
 */

const MINUTE = 60_000;

/** First-slot offset after boot, in milliseconds (TIME_SCALE divides it), of every export with a timer. */
export const STAGGER_MS = {
  orders: 0,
  customers: 15 * MINUTE,
  products: 30 * MINUTE,
  prices: 45 * MINUTE,
} as const;
