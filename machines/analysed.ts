/**
 * A per-context memo for the chart's guards. Contexts are immutable, and every event (child snapshot syncs
 * included) re-evaluates all eventless guards, so each policy answer is computed once per context object.
 */
import type { OrchestratorContext } from './types.js';

const analyses = new WeakMap<OrchestratorContext, Map<string, unknown>>();

/** `compute(context)`, computed once per context object and `key`. */
export function analysed<T>(context: OrchestratorContext, key: string, compute: (context: OrchestratorContext) => T): T {
  let answers = analyses.get(context);
  if (answers === undefined) analyses.set(context, (answers = new Map()));
  if (!answers.has(key)) answers.set(key, compute(context));
  return answers.get(key) as T;
}
