import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { RuntimeEvent } from '../runtime/orchestrator-port.js';

/** A runtime event as the stream sends it: the runtime's `{type, at, …}` plus its place in the sequence. */
export interface StreamEvent extends RuntimeEvent {
  /** 1, 2, 3, … without gaps for the life of the journal (see {@link EventJournal.epoch}). */
  seq: number;
}

/** A listener of {@link EventJournal}. */
export type JournalListener = (event: StreamEvent) => void;

/** Options of {@link EventJournal}. */
export interface EventJournalOptions {
  /** Events kept for replay (`?since=`); older ones are forgotten and a reconnecting client gets a fresh status. */
  capacity: number;
  logger: Logger;
}

/**
 * The single ordered log behind the WebSocket stream and the metrics: numbers every runtime event
 * (`seq`, gap-free), keeps the last `capacity` of them in a ring for replay, and fans them out. It adds
 * no event of its own: `orchestrator.state` comes from the runtime, which derives it once
 * (`regionChange` of `machines/orchestrator.selectors.ts`).
 */
export class EventJournal {
  /**
   * Names this journal's sequence. A restarted process starts again at seq 1, so a client resuming with
   * a `since` from an earlier process must not be replayed events that merely share numbers with it.
   */
  readonly epoch = randomBytes(6).toString('hex');
  private readonly ring: (StreamEvent | undefined)[];
  private readonly listeners = new Set<JournalListener>();
  private last = 0;

  constructor(private readonly options: EventJournalOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) throw new RangeError('the replay capacity must be a positive integer');
    this.ring = new Array<StreamEvent | undefined>(options.capacity);
  }

  /** The seq of the newest event (0 before the first one). */
  get lastSeq(): number {
    return this.last;
  }

  /** Adds a runtime event at the end of the sequence and delivers it to every listener. */
  append(event: RuntimeEvent): void {
    const sequenced: StreamEvent = { ...event, seq: ++this.last };
    this.ring[sequenced.seq % this.ring.length] = sequenced;
    for (const listener of [...this.listeners]) {
      try {
        listener(sequenced);
      } catch (error) {
        // One failing consumer (a metric, a socket) must not starve the others of the sequence.
        this.options.logger.error({ err: error, event: event.type }, 'a stream event listener failed');
      }
    }
  }

  /**
   * The events after `seq` (oldest first) when the ring still holds all of them, else null: the caller
   * then starts over from a fresh status. A `seq` ahead of the journal (another process's sequence) is
   * null too.
   */
  since(seq: number): StreamEvent[] | null {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.last) return null;
    if (this.last - seq > this.ring.length) return null;
    const missed: StreamEvent[] = [];
    for (let next = seq + 1; next <= this.last; next++) {
      const event = this.ring[next % this.ring.length];
      if (event?.seq !== next) return null;
      missed.push(event);
    }
    return missed;
  }

  /** Adds a listener of every event appended from now on; returns its removal. */
  listen(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}
