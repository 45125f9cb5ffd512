/**
 * What the runtime and the HTTP layer import from the statecharts: the machines, their event and context
 * types, the `runSync` contract, the catalog, and pure selectors. Nothing here does I/O.
 */
export * from './catalog.js';
export type * from './types.js';
export {
  MACHINE_VERSION,
  childId,
  orchestratorMachine,
  withRunSync,
  type ChildCommand,
  type OrchestratorActor,
  type OrchestratorCommand,
  type OrchestratorEmitted,
  type OrchestratorEvent,
  type OrchestratorMachine,
  type OrchestratorSnapshot,
} from './orchestrator.machine.js';
export * from './orchestrator.selectors.js';
export { syncTargetMachine, type SyncTargetCommand, type SyncTargetContext, type SyncTargetReport } from './sync-target.machine.js';
export * from './run-sync.js';
export { explain, type Why, type WhyCode, type WhyReason } from './why.js';
export { describeLayoutDrift } from './layout-drift.js';
export { planStarts, dispatchMode } from './dispatch.js';
export { queuePosition } from './queue.js';
export { erpWindowAt, formatErpHours, parseErpHours, type ErpHours, type ErpWindow } from './erp-hours.js';
export { isTimeZone, nextLocalMidnight } from './local-time.js';
export { RESOURCE_METRICS, RESOURCE_UNITS, describeBreach, initialResourceGuard, sampleChangesGuard } from './resource-guard.js';
export { ageingWindowMs, boundRuns, effectivePriority, startBoundMs, topPriority, type BoundInput } from './ageing.js';
