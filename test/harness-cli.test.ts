import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * The harness commands (`npm run chaos`, `npm run soak`) answer `--help` with their usage and refuse an
 * unknown flag or a bad value with one line and exit 2, before starting anything.
 */

const run = promisify(execFile);
const harness = (script: string, args: string[]) =>
  run(process.execPath, ['--import', 'tsx', `harness/${script}.cli.ts`, ...args], { timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

describe.each(['chaos', 'soak'])('npm run %s', (script) => {
  it('prints its usage for --help and exits 0', async () => {
    const { code, stdout, stderr } = await harness(script, ['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: npm run ${script} -- `));
    expect(stderr).toBe('');
  });

  it('refuses an unknown flag with one line and its usage, exit 2, no stack trace', async () => {
    const { code, stdout, stderr } = await harness(script, ['--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Unknown option '--bogus'/);
    expect(stderr).toContain(`usage: npm run ${script}`);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses a bad value with one line naming the flag', async () => {
    const [flag, value] = script === 'chaos' ? ['--kills', 'x'] : ['--cycles', '0'];
    const { code, stderr } = await harness(script, [flag!, value!]);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`${flag} must be`);
  });
});
