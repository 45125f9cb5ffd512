import type { Logger } from 'pino';
import { regionChange, selectRegionStates, type OrchestratorActor, type OrchestratorEmitted, type RegionStates } from '../../machines/index.js';

/** The runtime's own fact: the root's region states changed (the stream's `orchestrator.state`). */
export interface OrchestratorStateChanged {
  type: 'orchestrator.state';
  at: number;
  state: RegionStates;
}

/** Everything the runtime hears from the orchestrator, times in epoch ms. */
export type OrchestratorFact = OrchestratorEmitted | OrchestratorStateChanged;

/** A listener of {@link EventHub}. */
export type FactListener = (fact: OrchestratorFact) => void;

/**
 * Fans the orchestrator's emitted facts out to the ledger, the logs and the HTTP subscribers, in the
 * order they were emitted and synchronously (inside the actor's step), so that a caller that sent a
 * command sees every fact it caused as soon as `send` returns. A listener that throws is logged and cut
 * off from nothing else: one broken WebSocket client must not stop the ledger.
 */
export class EventHub {
  private readonly listeners = new Set<FactListener>();
  private announced: RegionStates | null = null;

  constructor(private readonly logger: Logger) {}

  /** Adds a listener; returns its removal. */
  listen(listener: FactListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Delivers one fact to every listener. */
  publish(fact: OrchestratorFact): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(fact);
      } catch (error) {
        this.logger.error({ err: error, fact: fact.type }, 'an orchestrator event listener failed');
      }
    }
  }

  /**
   * Wires an actor before it starts (restore emits facts from its first event): its emitted facts, and an
   * `orchestrator.state` fact whenever a region changes state.
   */
  attach(actor: OrchestratorActor): void {
    actor.on('*', (emitted) => this.publish(emitted));
    actor.subscribe({
      next: (snapshot) => {
        const state = regionChange(this.announced, selectRegionStates(snapshot));
        if (state === null) return;
        this.announced = state;
        this.publish({ type: 'orchestrator.state', at: snapshot.context.now, state });
      },
      error: (error) => this.logger.fatal({ err: error }, 'the orchestrator statechart stopped on an error'),
    });
  }
}
