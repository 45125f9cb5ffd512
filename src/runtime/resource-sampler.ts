import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { OrchestratorCommand, ResourceReadings } from '../../machines/index.js';
import { processTreeBytes, processesWith } from '../erp/process-tree.js';

/**
 * Measures what the resource guard watches and sends it to the orchestrator as `resources.sampled`, once
 * per window. It decides nothing: limits, steps and hysteresis are the statechart's
 * (`machines/resource-guard.ts`); its timer only paces the measurements.
 */

/**
 * One sample window. Long enough for the event-loop histogram to hold hundreds of delay samples (so its
 * p99 is not one GC pause) and for one step per window to react within seconds; short enough that a
 * three-step descent (3 → 2 → 1 → held) takes a quarter of a minute.
 */
export const RESOURCE_SAMPLE_MS = 5_000;

/** Event-loop delay sampling resolution: fine enough to see a batch blocking the loop, cheap to leave on. */
const DELAY_RESOLUTION_MS = 10;

const MB = 1024 * 1024;

/** Options of {@link ResourceSampler}. */
export interface ResourceSamplerOptions {
  /** Where samples go: the orchestrator actor's `send`. */
  send: (event: Extract<OrchestratorCommand, { type: 'resources.sampled' }>) => void;
  /** Wall clock, epoch ms: the `now` of each sample. */
  now: () => number;
  /** The browser's folder: every Chromium process naming it on its command line is summed; null without a browser. */
  browserDir: string | null;
  /**
   * Whether a sample is worth sending (default: every one). The runtime sends only those that change the
   * guard (`sampleChangesGuard`); the others are kept as {@link ResourceSampler.latest} for the status.
   */
  matters?: (readings: ResourceReadings) => boolean;
  /** Sample window (default {@link RESOURCE_SAMPLE_MS}). */
  intervalMs?: number;
  logger: Logger;
}

/** The sampler: `start()` paces it, `sample()` measures one window and sends it. */
export class ResourceSampler {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  private timer: NodeJS.Timeout | null = null;
  /** The latest sample taken, sent or not (null before the first). */
  latest: { at: number; readings: ResourceReadings } | null = null;

  constructor(private readonly options: ResourceSamplerOptions) {}

  /** Starts measuring and sends a sample at the end of every window. */
  start(): void {
    if (this.timer !== null) return;
    this.delay.enable();
    this.timer = setInterval(() => this.sample(), this.options.intervalMs ?? RESOURCE_SAMPLE_MS);
    // Sampling must never keep a finished process alive.
    this.timer.unref();
  }

  /** Stops the timer and the event-loop monitor (idempotent). */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.delay.disable();
  }

  /**
   * Measures the window that ends now and starts the next: p99 event-loop delay since the last sample
   * (ms), the process's RSS (MB) and the memory of every Chromium process of the service together (MB,
   * proportional set size: see `processTreeBytes`).
   */
  measure(): ResourceReadings {
    // Before the monitor has recorded anything its percentiles read 0: nothing was delayed that we saw.
    const eventLoopDelay = this.delay.count === 0 ? 0 : this.delay.percentile(99) / 1e6;
    this.delay.reset();
    const { browserDir } = this.options;
    const chromium = browserDir === null ? 0 : processTreeBytes(processesWith(`--user-data-dir=${browserDir}`));
    return { eventLoopDelay: round(eventLoopDelay), rss: round(process.memoryUsage.rss() / MB), chromiumRss: round(chromium / MB) };
  }

  /** Measures one window and sends it; a failure is logged, never thrown into the timer. */
  sample(): ResourceReadings | null {
    try {
      const readings = this.measure();
      const now = this.options.now();
      this.latest = { at: now, readings };
      if (this.options.matters?.(readings) ?? true) this.options.send({ type: 'resources.sampled', readings, now });
      return readings;
    } catch (error) {
      this.options.logger.error({ err: error }, 'could not sample the resources; the guard keeps its last decision');
      return null;
    }
  }
}

/** One decimal: the readings are shown to operators and compared with whole-number limits. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}
