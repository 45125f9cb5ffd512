import { describe, expect, it } from 'vitest';
import { FanOutQueue } from '../../src/http/routes/stream/fan-out-queue.js';

/** One turn of the event loop (the queue's slices run on `setImmediate`). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A queue over a virtual clock that advances `costMs` per delivery, recording what each recipient got. */
function recordingQueue(options: { costMs?: number; sliceMs?: number; current?: (r: string) => boolean; failing?: string } = {}) {
  let clock = 0;
  const log: string[] = [];
  const errors: string[] = [];
  const queue = new FanOutQueue<string, string>({
    deliver: (recipient, message) => {
      clock += options.costMs ?? 0;
      if (recipient === options.failing) throw new Error(`${recipient} is gone`);
      log.push(`${recipient}:${message}`);
    },
    isCurrent: options.current ?? (() => true),
    onError: (recipient, error) => errors.push(`${recipient}: ${(error as Error).message}`),
    sliceMs: options.sliceMs ?? 0.5,
    now: () => clock,
  });
  /** Turns until the queue is empty (bounded). */
  const drained = async (): Promise<void> => {
    for (let i = 0; i < 1_000 && queue.pending > 0; i++) await turn();
    await turn();
  };
  return { queue, log, errors, drained };
}

describe('FanOutQueue', () => {
  it('delivers every message to the recipients it was queued for, in queue order for each', async () => {
    const { queue, log, drained } = recordingQueue({ costMs: 0.2 });
    const recipients = new Set(['a', 'b', 'c']);
    queue.enqueue('1', recipients);
    queue.enqueue('2', recipients);
    // Connected after 1 and 2 were queued: a new client has them (or a status after them) already.
    recipients.add('d');
    queue.enqueue('3', recipients);
    await drained();
    const of = (r: string) => log.filter((entry) => entry.startsWith(`${r}:`)).map((entry) => entry.slice(2));
    expect([of('a'), of('b'), of('c'), of('d')]).toEqual([['1', '2', '3'], ['1', '2', '3'], ['1', '2', '3'], ['3']]);
    // A message starts only once the previous one reached all of its recipients.
    expect(log.indexOf('c:1')).toBeLessThan(log.indexOf('a:2'));
  });

  it('returns from enqueue before writing anything, and serves the event loop between slices', async () => {
    const { queue, log, drained } = recordingQueue({ costMs: 0.3, sliceMs: 0.5 });
    queue.enqueue('1', ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(log).toEqual([]);
    // Runs two turns from now: between slices, before the fan-out is over, not after all six writes.
    setImmediate(() => setImmediate(() => log.push('io')));
    await drained();
    const io = log.indexOf('io');
    expect(io).toBeGreaterThan(0);
    expect(io).toBeLessThan(log.length - 1);
    // Each slice writes until its half millisecond is spent (0.3 + 0.3 ms), then yields: two slices came first.
    expect(log.slice(0, io)).toEqual(['a:1', 'b:1', 'c:1', 'd:1']);
  });

  it('writes at least one recipient per slice however slow a write is', async () => {
    const { queue, log, drained } = recordingQueue({ costMs: 50, sliceMs: 0.5 });
    queue.enqueue('1', ['a', 'b', 'c']);
    await drained();
    expect(log).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('skips a recipient that went away while its messages were queued', async () => {
    const gone = new Set<string>();
    const { queue, log, drained } = recordingQueue({ current: (r) => !gone.has(r) });
    queue.enqueue('1', ['a', 'b']);
    queue.enqueue('2', ['a', 'b']);
    gone.add('b');
    await drained();
    expect(log).toEqual(['a:1', 'a:2']);
  });

  it('reports a delivery that throws and still delivers to the others', async () => {
    const { queue, log, errors, drained } = recordingQueue({ failing: 'b' });
    queue.enqueue('1', ['a', 'b', 'c']);
    queue.enqueue('2', ['a', 'c']);
    await drained();
    expect(errors).toEqual(['b: b is gone']);
    expect(log).toEqual(['a:1', 'c:1', 'a:2', 'c:2']);
  });

  it('forgets what is queued when cleared', async () => {
    const { queue, log, drained } = recordingQueue();
    queue.enqueue('1', ['a', 'b']);
    queue.clear();
    await drained();
    expect(log).toEqual([]);
    expect(queue.pending).toBe(0);
  });
});
