import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = (args: string[]) =>
  run(process.execPath, ['bin/sync-orchestrator.js', ...args]).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** Runs a shell command under a pseudo-terminal (util-linux `script`), returning what the terminal showed. */
async function onTerminal(command: string): Promise<string> {
  const { stdout } = await run('script', ['-qfec', command, '/dev/null'], { env: { ...process.env, COLUMNS: '120' } });
  return stdout;
}

describe('sync-orchestrator --help', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the usage of every command on stdout and exits 0 for %s', async (flag) => {
    const { code, stdout, stderr } = await cli([flag]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    for (const verb of ['parse', 'import', 'serve', 'simulator']) expect(stdout).toContain(`sync-orchestrator ${verb}`);
  });

  it.each(['parse', 'import', 'serve', 'simulator'])('prints the usage for "%s --help" and exits 0', async (verb) => {
    const { code, stdout } = await cli([verb, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^usage: sync-orchestrator ${verb}`));
  });

  it('still refuses a missing command with the usage on stderr and exit 2', async () => {
    const { code, stdout, stderr } = await cli([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^usage:/);
  });
});

describe('progress on a terminal', () => {
  it('shows a bar of the pages read and the rows applied, with an ETA, then the phase durations rounded', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-progress-'));
    const screen = await onTerminal(`${process.execPath} bin/sync-orchestrator.js import fixtures/exports/orders.pdf --data-dir ${dataDir}`);
    expect(screen).toMatch(/\r\x1b\[Kparsing +\[#*-*\] +\d+\/\d+ pages +\d+\/s +(ETA .+|done)/);
    expect(screen).toMatch(/\r\x1b\[Kparsing +\[#{24}\] +(\d+)\/\1 pages .* done/);
    expect(screen).toMatch(/\r\x1b\[Kapplying \[#{24}\] +60\/60 rows .* done/);
    expect(screen).toMatch(/\r\x1b\[Kparsing \d+(\.\d)? m?s, applying \d+(\.\d)? m?s, finalizing \d+(\.\d)? m?s\r?\n/);
    const stats = JSON.parse(screen.slice(screen.indexOf('{')).replace(/\r/g, '')) as { stats: { durationMs: Record<string, number> } };
    for (const ms of Object.values(stats.stats.durationMs)) expect(Number.isInteger(ms)).toBe(true);
  }, 60_000);

  it('draws nothing when stderr is not a terminal', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cli-progress-'));
    const { code, stderr } = await cli(['import', 'fixtures/exports/orders.pdf', '--data-dir', dataDir]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
  }, 60_000);

  it('keeps stdout a pure jsonl stream under parse on a terminal (the bar goes to stderr)', async () => {
    const screen = await onTerminal(`${process.execPath} bin/sync-orchestrator.js parse fixtures/exports/orders.pdf 2>/dev/null`);
    const lines = screen.replace(/\r/g, '').split('\n').filter(Boolean);
    expect(lines.length).toBe(60);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  }, 60_000);
});
