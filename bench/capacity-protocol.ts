/**
 * What the capacity benchmark (`bench/capacity.bench.ts`) and its service processes
 * (`bench/capacity-child.ts`) exchange: one JSON argument in, one JSON line out.
 */

/** The service account of both modes (the default `ERP_USERNAME`). */
export const SERVICE_ACCOUNT = 'default';
/** Password of every simulated account in the `cost` mode. */
export const BENCH_PASSWORD = 'capacity-pw';

/** The argument of a `schedule` process. */
export interface ScheduleArgs {
  mode: 'schedule';
  agents: number;
  concurrency: number;
  /** Schedule hours to run. */
  hours: number;
  seed: string;
}

/** The argument of a `cost` process. */
export interface CostArgs {
  mode: 'cost';
  agents: number;
  concurrency: number;
  erpUrl: string;
}

/** What a `schedule` process prints. */
export interface ScheduleResult {
  /** Completion times per target, in schedule milliseconds since boot. */
  completions: Record<string, number[]>;
  /** Schedule milliseconds the process ran for. */
  ranMs: number;
  runs: number;
  failures: number;
  /** Real seconds the simulation took. */
  wallSeconds: number;
  cpuSeconds: number;
  maxRssMiB: number;
}

/** What a `cost` process prints. */
export interface CostResult {
  /** Runs of each service that completed. */
  runs: Record<string, number>;
  failures: number;
  /** CPU seconds of this process (main thread and parse workers) per phase. */
  serviceCpu: { agents: number; shared: number };
  /** CPU seconds of every Chromium process per phase (summed from `/proc/<pid>/stat` of the live tree). */
  chromiumCpu: { agents: number; shared: number };
  maxRssMiB: number;
  chromiumPeakRssMiB: number;
}
