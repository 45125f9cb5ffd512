import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger as Logger } from 'fastify';
import type { RegionStates } from '../../machines/index.js';
import type { RuntimeEvent } from '../runtime/runtime-port.js';

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
  /** The root's region states now (`runtime.status().state`), read to derive `orchestrator.state`. */
  regionStates: () => RegionStates;
  logger: Logger;
}

/**
 * Events whose effect on the root's regions is checked afterwards. Progress reports never change a
 * region, and they are by far the most frequent event, so they are not worth a status read each.
 */
const STATE_NEUTRAL = new Set(['sync.progress', 'orchestrator.state']);

/**
 * The single ordered log behind the WebSocket stream and the metrics: numbers every runtime event
 * (`seq`, gap-free), keeps the last `capacity` of them in a ring for replay, and fans them out.
 *
 * It also guarantees an `orchestrator.state` event whenever the root's region states change, whether or
 * not the runtime emits one itself: after a burst of events (one microtask later, when the actor's step
 * is over and its snapshot settled) it reads the regions and appends the event if they differ from the
 * last ones announced. An `orchestrator.state` from the runtime with unchanged regions is dropped, so
 * a runtime that does emit them never produces duplicates.
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
  private regions: string | null = null;
  private checkPending = false;
  private lastAt = new Date(0).toISOString();

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
    if (event.type === 'orchestrator.state') {
      const key = regionKey(event.state);
      if (key === this.regions) return;
      this.regions = key;
    } else if (!STATE_NEUTRAL.has(event.type)) {
      this.scheduleRegionCheck();
    }
    this.record(event);
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

  /**
   * Tells the journal the region states of a status just read, if it does not know them yet. The journal
   * does not read them itself when it is created (building the app must not call the runtime); the first
   * status served or scraped seeds them, so the first derived `orchestrator.state` is a real change.
   */
  noteRegions(state: RegionStates): void {
    this.regions ??= regionKey(state);
  }

  /** Adds a listener of every event appended from now on; returns its removal. */
  listen(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private record(event: RuntimeEvent): void {
    const sequenced: StreamEvent = { ...event, seq: ++this.last };
    this.lastAt = typeof event.at === 'string' ? event.at : this.lastAt;
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

  private scheduleRegionCheck(): void {
    if (this.checkPending) return;
    this.checkPending = true;
    queueMicrotask(() => {
      this.checkPending = false;
      const state = this.readRegionsObject();
      if (state === null) return;
      const key = regionKey(state);
      if (key === this.regions) return;
      this.regions = key;
      this.record({ type: 'orchestrator.state', at: this.lastAt, state });
    });
  }

  private readRegionsObject(): RegionStates | null {
    try {
      return this.options.regionStates();
    } catch (error) {
      this.options.logger.warn({ err: error }, 'could not read the region states for orchestrator.state');
      return null;
    }
  }
}

function regionKey(state: unknown): string {
  const { dispatch, clock, erp } = (state ?? {}) as Partial<RegionStates>;
  return `${String(dispatch)}|${String(clock)}|${String(erp)}`;
}
