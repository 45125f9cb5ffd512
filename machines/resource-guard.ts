/**
 * The resource guard: adaptive concurrency under resource pressure. The runtime only measures (event-loop
 * delay, RSS, Chromium RSS) and sends each sample as `resources.sampled`; everything decided from the
 * samples is here: a reading over its limit steps the effective concurrency down by one per sample, down
 * to 1; over a limit at 1, new starts are held (`RESOURCE_GUARD(metric, value)`); only after
 * RESOURCE_RECOVERY_SAMPLES samples with every reading below its limit × RESOURCE_HYSTERESIS is the hold
 * lifted, then the concurrency stepped back up one at a time. Running runs are never stopped: a lower cap
 * only keeps new ones from starting.
 */
import { DEFAULT_RESOURCE_LIMITS, RESOURCE_HYSTERESIS, RESOURCE_RECOVERY_SAMPLES } from './catalog.js';
import { emit, withContext, type Tx } from './transaction.js';
import type { OrchestratorContext, ResourceBreach, ResourceGuardState, ResourceMetric, ResourceReadings } from './types.js';

/** The watched metrics, in the order an operator reads them. */
export const RESOURCE_METRICS: readonly ResourceMetric[] = ['eventLoopDelay', 'rss', 'chromiumRss'];

/** The unit each metric is read and limited in. */
export const RESOURCE_UNITS: Readonly<Record<ResourceMetric, 'ms' | 'MB'>> = { eventLoopDelay: 'ms', rss: 'MB', chromiumRss: 'MB' };

/** What one sample does to the guard. */
export type ResourceMove = 'hold' | 'stepDown' | 'release' | 'stepUp' | 'steady';

/** The guard at boot (and after a restart: a new process starts from fresh readings): full concurrency. */
export function initialResourceGuard(limits: ResourceReadings = DEFAULT_RESOURCE_LIMITS): ResourceGuardState {
  return { limits: { ...limits }, cap: null, held: false, cause: null, calmSamples: 0, last: null };
}

/** The reading furthest over its limit (by ratio), or null when every reading is within its limit. */
export function worstBreach(limits: ResourceReadings, readings: ResourceReadings): ResourceBreach | null {
  let worst: ResourceBreach | null = null;
  for (const metric of RESOURCE_METRICS) {
    const value = readings[metric];
    const limit = limits[metric];
    if (value > limit && (worst === null || value / limit > worst.value / worst.limit)) worst = { metric, value, limit };
  }
  return worst;
}

/** True when every reading is below its limit × RESOURCE_HYSTERESIS: the band where the guard may recover. */
export function isCalm(limits: ResourceReadings, readings: ResourceReadings): boolean {
  return RESOURCE_METRICS.every((metric) => readings[metric] < limits[metric] * RESOURCE_HYSTERESIS);
}

/** The cap on running targets before any hold: the guard's, within the configured concurrency. */
function capOf(context: OrchestratorContext): number {
  return Math.min(context.resourceGuard.cap ?? context.concurrency, context.concurrency);
}

/** What a sample does, given the guard and the configured concurrency. */
export function resourceMove(context: OrchestratorContext, readings: ResourceReadings): ResourceMove {
  const guard = context.resourceGuard;
  if (worstBreach(guard.limits, readings) !== null) {
    if (guard.held) return 'steady';
    return capOf(context) > 1 ? 'stepDown' : 'hold';
  }
  const recovered = isCalm(guard.limits, readings) && guard.calmSamples + 1 >= RESOURCE_RECOVERY_SAMPLES;
  if (!recovered) return 'steady';
  if (guard.held) return 'release';
  return capOf(context) < context.concurrency ? 'stepUp' : 'steady';
}

/**
 * How many targets may run now: the configured concurrency, lowered by the guard, and 0 while starts are
 * held. Paused runs count as starts: resuming one loads the process like starting it.
 */
export function startCap(context: OrchestratorContext): number {
  return context.resourceGuard.held ? 0 : capOf(context);
}

/** A breach as operators read it in `why`, the status and the logs: `RESOURCE_GUARD(rss, 1650 MB)`. */
export function describeBreach(breach: ResourceBreach): string {
  return `RESOURCE_GUARD(${breach.metric}, ${Math.round(breach.value)} ${RESOURCE_UNITS[breach.metric]})`;
}

/** The guard after one sample's move (pure: the chart's actions apply it). */
export function guardAfter(context: OrchestratorContext, readings: ResourceReadings, move: ResourceMove, at: number): ResourceGuardState {
  const guard = context.resourceGuard;
  const breach = worstBreach(guard.limits, readings);
  const calmSamples = isCalm(guard.limits, readings) ? Math.min(guard.calmSamples + 1, RESOURCE_RECOVERY_SAMPLES) : 0;
  const noted = { ...guard, last: { at, readings: { ...readings } }, calmSamples };
  const full = { cap: null, cause: null };
  switch (move) {
    case 'stepDown':
      return { ...noted, cap: capOf(context) - 1, cause: breach };
    case 'hold':
      return { ...noted, cap: 1, held: true, cause: breach };
    case 'release':
      return { ...noted, held: false, calmSamples: 0, ...(context.concurrency > 1 ? {} : full) };
    case 'stepUp': {
      const cap = capOf(context) + 1;
      return { ...noted, calmSamples: 0, ...(cap >= context.concurrency ? full : { cap }) };
    }
    case 'steady':
      // While held, the reason shows the latest value over the limit, not the one that first held.
      return guard.held && breach !== null ? { ...noted, cause: breach } : noted;
  }
}

/**
 * Whether a sample changes the guard beyond its record of the latest readings. The sampler sends only
 * such samples: a calm service at full concurrency would otherwise change the orchestrator's context,
 * and so rewrite its snapshot, at every window (the status reads the sampler's latest readings instead).
 */
export function sampleChangesGuard(context: OrchestratorContext, readings: ResourceReadings): boolean {
  const move = resourceMove(context, readings);
  if (move !== 'steady') return true;
  const { last: _before, ...before } = context.resourceGuard;
  const { last: _after, ...after } = guardAfter(context, readings, move, context.now);
  return JSON.stringify(before) !== JSON.stringify(after);
}

/** Past-tense names of the moves that change what may start, as the `resources.guard` fact reports them. */
const CHANGES = { hold: 'held', stepDown: 'stepped-down', release: 'released', stepUp: 'stepped-up' } as const;

/** Applies one sample's move; a move that changes the cap or the hold emits `resources.guard`. */
export function applyResourceSample(tx: Tx, readings: ResourceReadings, move: ResourceMove): Tx {
  const resourceGuard = guardAfter(tx.ctx, readings, move, tx.ctx.now);
  const next = withContext(tx, { resourceGuard });
  if (move === 'steady') return next;
  return emit(next, {
    type: 'resources.guard',
    at: tx.ctx.now,
    change: CHANGES[move],
    effective: startCap(next.ctx),
    concurrency: tx.ctx.concurrency,
    held: resourceGuard.held,
    cause: resourceGuard.cause,
    readings: { ...readings },
  });
}

/** The guard back at full concurrency, with the limits of a (new) configuration. */
export function resetResourceGuard(tx: Tx, limits?: ResourceReadings): Tx {
  return withContext(tx, { resourceGuard: initialResourceGuard(limits ?? tx.ctx.resourceGuard.limits) });
}
