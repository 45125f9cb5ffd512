import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs the fixture, sends SIGTERM once it is ready, and reports how it ended (null: alive after `limitMs`). */
async function signalled(env: Record<string, string>, limitMs: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/blocked-after-signal.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGTERM');
  const outcome = await Promise.race([exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), limitMs))]);
  child.kill('SIGKILL');
  return outcome;
}

describe('exit watchdog', () => {
  it('ends a process whose event loop is blocked after the signal', async () => {
    expect(await signalled({ GRACE_MS: '300' }, 20_000)).toEqual({ code: null, signal: 'SIGKILL' });
  }, 40_000);

  it('is what ends it: unarmed, the same process stays blocked', async () => {
    expect(await signalled({ GRACE_MS: '300', WATCHDOG: 'off' }, 3_000)).toBeNull();
  }, 40_000);
});
