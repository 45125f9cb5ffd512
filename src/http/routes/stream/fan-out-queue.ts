import { performance } from 'node:perf_hooks';

/**
 * Longest stretch of deliveries between two yields to the event loop, ms. One WebSocket write is a
 * syscall (`writev`, ~10–20 µs on loopback, more on a busy machine): a 10 Hz event stream to 100 clients
 * written in one go held the loop for 1.5–5 ms per event, and an HTTP request arriving then waited for
 * all of it (the operator benchmark's status p99 during a sync). Half a millisecond keeps a request's
 * wait below its own cost while a slice still writes a few dozen sockets.
 */
export const FAN_OUT_SLICE_MS = 0.5;

/** Options of {@link FanOutQueue}. */
export interface FanOutQueueOptions<R, M> {
  /** Writes one message to one recipient. */
  deliver: (recipient: R, message: M) => void;
  /**
   * A delivery threw: the queue runs on its own turn of the event loop, where nothing else would catch
   * it, so the error goes here and the other recipients still receive the message.
   */
  onError: (recipient: R, error: unknown) => void;
  /** Whether a recipient still wants messages (a dropped one is skipped for the rest of the queue). */
  isCurrent: (recipient: R) => boolean;
  /** Default {@link FAN_OUT_SLICE_MS}. */
  sliceMs?: number;
  /** Monotonic clock, ms (tests pass a virtual one). */
  now?: () => number;
}

interface Pending<R, M> {
  message: M;
  /** The recipients when the message was queued: one connected later has it in its first messages already. */
  recipients: readonly R[];
  next: number;
}

/**
 * Delivers each message to the recipients it was queued for, in queue order, in slices of at most
 * `sliceMs` with a yield (`setImmediate`) between them, so that I/O (HTTP requests) is served between
 * slices instead of waiting for a whole fan-out. Every recipient receives the messages in the order they
 * were queued: a message starts only after the previous one reached all of its recipients.
 */
export class FanOutQueue<R, M> {
  private readonly queue: Pending<R, M>[] = [];
  private readonly sliceMs: number;
  private readonly now: () => number;
  private scheduled: NodeJS.Immediate | null = null;

  constructor(private readonly options: FanOutQueueOptions<R, M>) {
    this.sliceMs = options.sliceMs ?? FAN_OUT_SLICE_MS;
    this.now = options.now ?? (() => performance.now());
  }

  /** Messages not yet delivered to all their recipients. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues `message` for `recipients` (copied: later changes to the caller's collection do not count). */
  enqueue(message: M, recipients: Iterable<R>): void {
    const list = [...recipients];
    if (list.length === 0) return;
    this.queue.push({ message, recipients: list, next: 0 });
    this.scheduled ??= setImmediate(() => this.drain());
  }

  /** Forgets every queued message (the recipients are going away). */
  clear(): void {
    this.queue.length = 0;
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
  }

  private drain(): void {
    this.scheduled = null;
    const { deliver, isCurrent, onError } = this.options;
    const sliceEnd = this.now() + this.sliceMs;
    let delivered = 0;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      while (head.next < head.recipients.length) {
        // At least one delivery per slice, so that a slow clock or a slow write cannot stall the queue.
        if (delivered > 0 && this.now() >= sliceEnd) {
          this.scheduled = setImmediate(() => this.drain());
          return;
        }
        const recipient = head.recipients[head.next++]!;
        if (!isCurrent(recipient)) continue;
        delivered++;
        try {
          deliver(recipient, head.message);
        } catch (error) {
          onError(recipient, error);
        }
      }
      this.queue.shift();
    }
  }
}
