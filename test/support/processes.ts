/** Process checks of the browser tests: no orphan, no zombie Chromium left behind. */
import { execFileSync } from 'node:child_process';
import { processesWith } from '../../src/erp/process-tree.js';

/** A killed process tree may need a moment to be reaped: checks are retried this often, 100 ms apart. */
const ATTEMPTS = 20;

async function settled<T>(read: () => T[]): Promise<T[]> {
  let found: T[] = [];
  for (let i = 0; i < ATTEMPTS; i++) {
    found = read();
    if (found.length === 0) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live processes whose command line names `marker` (a folder of the test), once the dying ones are gone. */
export function orphansOf(marker: string): Promise<number[]> {
  return settled(() => processesWith(marker));
}

/**
 * Zombie Chromium processes (`ps` state Z) this test process could have left: its own children (the
 * browsers it launched) or orphans handed to init. Other sessions' browsers on a shared machine have
 * other parents and do not count.
 */
export function chromiumZombies(): Promise<string[]> {
  return settled(() =>
    execFileSync('ps', ['-eo', 'pid=,ppid=,stat=,comm='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, ppid, stat, comm]) => stat?.startsWith('Z') && /chrom/i.test(comm ?? '') && (Number(ppid) === process.pid || ppid === '1'))
      .map((fields) => fields.join(' ')),
  );
}
