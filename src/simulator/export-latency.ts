/**
 * How long the real ERP takes to hand over each export, as seen by the driver (ERP-UI §6): the time a
 * sync holds an ERP session and a browser page before the PDF is on disk. The simulator answers at once
 * unless given a profile; the capacity benchmark uses this one, because "how many agents can one machine
 * keep fresh?" is decided by these waits more than by anything local.
 */
import type { ExportType } from '../exports/registry.js';
import type { Random } from './random.js';

/** Seconds of one export, drawn uniformly from `[min, max]` for each export click. */
export interface LatencyRange {
  minSeconds: number;
  maxSeconds: number;
}

/** A latency range per export. */
export type ExportLatencyProfile = Readonly<Record<ExportType, LatencyRange>>;

/**
 * The field's figures (ERP-UI §6) where there are some, and stated guesses where there are none:
 * - customers: login + download 5–8 s (seen);
 * - products: 5.6 MB in about 19 s (seen);
 * - prices: about 14,900 pages in about 18 s (seen);
 * - DDT: "up to minutes on a bad day" (seen): 20–120 s, so that a third of the draws pass a minute;
 * - orders (~280 pages) and invoices (~130–280 rows): not timed in the field; taken between customers
 *   and products, 8–14 s.
 */
export const REALISTIC_EXPORT_LATENCY: ExportLatencyProfile = {
  customers: { minSeconds: 5, maxSeconds: 8 },
  orders: { minSeconds: 8, maxSeconds: 14 },
  ddt: { minSeconds: 20, maxSeconds: 120 },
  invoices: { minSeconds: 8, maxSeconds: 14 },
  products: { minSeconds: 17, maxSeconds: 21 },
  prices: { minSeconds: 16, maxSeconds: 20 },
};

/** One export's latency in real milliseconds: a draw from its range, divided by the time scale. */
export function exportLatencyMs(profile: ExportLatencyProfile, service: ExportType, timeScale: number, random: Random): number {
  const { minSeconds, maxSeconds } = profile[service];
  const seconds = minSeconds + random.next() * (maxSeconds - minSeconds);
  return (seconds * 1000) / timeScale;
}

/** The mean of a range, in seconds (the benchmark's analytic estimate and the README's table). */
export function meanLatencySeconds(range: LatencyRange): number {
  return (range.minSeconds + range.maxSeconds) / 2;
}
