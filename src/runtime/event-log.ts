import type { Logger } from 'pino';
import type { OrchestratorFact } from './event-hub.js';

/**
 * Logs the orchestrator's facts: what an operator reads in the log to follow runs (info), what needs
 * attention (warn), and the chatter of progress and skips (debug). Times stay epoch ms here; pino
 * stamps each line itself.
 */
export function logFact(logger: Logger, fact: OrchestratorFact): void {
  switch (fact.type) {
    case 'sync.started':
      return logger.info({ target: fact.target, trigger: fact.trigger, probe: fact.probe }, 'run started');
    case 'sync.completed':
      return logger.info({ target: fact.target, trigger: fact.trigger, stats: fact.stats }, 'run completed');
    case 'sync.failed':
      return logger.warn(
        { target: fact.target, class: fact.class, error: fact.message, retry: fact.retry, retryAt: fact.retryAt },
        'run failed',
      );
    case 'sync.paused':
      return logger.info({ target: fact.target, cause: fact.cause }, 'run paused at a checkpoint');
    case 'sync.resumed':
      return logger.info({ target: fact.target, restored: fact.restored }, 'run resumed');
    case 'lease.acquired':
      return logger.info({ leaseId: fact.leaseId, scope: fact.scope, pausedTargets: fact.pausedTargets, waitedMs: fact.waitedMs }, 'lease acquired');
    case 'lease.released':
      return logger.info({ leaseId: fact.leaseId, scope: fact.scope, reason: fact.reason }, 'lease released');
    case 'erp.circuit':
      return logger.warn({ state: fact.state, until: fact.until, failures: fact.failures }, 'ERP circuit changed');
    case 'erp.hours':
      return logger.info({ state: fact.state, hours: fact.hours, until: fact.until }, 'ERP window changed');
    case 'account.held':
      return logger.warn({ account: fact.account, reason: fact.reason, target: fact.target, until: fact.until }, 'ERP account held: no run of it starts until then');
    case 'account.released':
      return logger.info({ account: fact.account, reason: fact.reason }, 'ERP account released');
    case 'resources.guard':
      return logger.warn(
        { change: fact.change, effective: fact.effective, concurrency: fact.concurrency, cause: fact.cause, readings: fact.readings },
        'resource guard changed the concurrency',
      );
    case 'schedule.updated':
      return logger.info({ service: fact.service, schedule: fact.schedule }, 'schedule updated');
    case 'orchestrator.state':
      return logger.debug({ state: fact.state }, 'orchestrator state');
    case 'sync.queued':
      return logger.debug({ target: fact.target, trigger: fact.trigger, position: fact.position }, 'run queued');
    case 'sync.skipped':
      return logger.debug({ target: fact.target, trigger: fact.trigger, reason: fact.reason, detail: fact.detail }, 'trigger skipped');
    case 'sync.progress':
      return logger.trace({ target: fact.target, phase: fact.phase, done: fact.done, total: fact.total }, 'run progress');
  }
}
