import { describe, expect, it } from 'vitest';
import { StepTimeoutError, formatMs, untilAborted, withDeadline } from '../../src/erp/deadline.js';

const never = (): Promise<never> => new Promise<never>(() => undefined);

describe('step deadlines', () => {
  it('resolves with the step result when it finishes in time', async () => {
    await expect(withDeadline('quick', 1_000, undefined, async () => 42)).resolves.toBe(42);
  });

  it('rejects a step that does not finish in time with a StepTimeoutError naming it', async () => {
    const err = await withDeadline('open the orders list', 30, undefined, never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    expect((err as Error).message).toBe('open the orders list: no answer within 30 ms');
  });

  it('aborts the signal it hands to the step when the deadline passes', async () => {
    let seen: AbortSignal | undefined;
    await withDeadline('step', 20, undefined, (s) => ((seen = s), never())).catch(() => undefined);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(StepTimeoutError);
  });

  it("rejects with an AbortError as soon as the run's signal aborts", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    const err = await withDeadline('step', 10_000, controller.signal, never).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
  });

  it('ignores a late rejection of an abandoned step', async () => {
    await expect(withDeadline('step', 10, undefined, () => new Promise((_, reject) => setTimeout(() => reject(new Error('late')), 30)))).rejects.toBeInstanceOf(StepTimeoutError);
    await new Promise((r) => setTimeout(r, 50));
  });

  it('stops waiting for a shared promise when the signal aborts, without settling it', async () => {
    const controller = new AbortController();
    const shared = new Promise<number>((resolve) => setTimeout(() => resolve(7), 40));
    const waiting = untilAborted(shared, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    await expect(untilAborted(shared, new AbortController().signal)).resolves.toBe(7);
  });

  it('formats durations for messages', () => {
    expect(formatMs(250)).toBe('250 ms');
    expect(formatMs(1500)).toBe('1.5 s');
    expect(formatMs(30_000)).toBe('30 s');
  });
});
