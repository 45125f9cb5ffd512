/**
 * Finding and killing Chromium processes by their profile directory. Every process of one browser
 * (zygotes, renderers, GPU and network utilities) carries `--user-data-dir=<profile>` on its command
 * line, so the profile path names the whole tree even after a crash re-parents part of it to init.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Pids of live processes whose command line contains `marker` (Linux `/proc`; empty elsewhere). */
export function processesWith(marker: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    try {
      // Zombies have an empty command line: they hold no resources and are reaped by their parent.
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
      if (cmdline.includes(marker)) pids.push(pid);
    } catch {
      // The process exited while we looked.
    }
  }
  return pids;
}

/** Sends SIGKILL to a process group (`-pid`); returns false when there was none. */
export function killProcessGroup(pid: number): boolean {
  try {
    process.kill(-pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** SIGKILLs every process whose command line contains `marker`; returns how many were signalled. */
export function killProcessesWith(marker: string): number {
  let killed = 0;
  for (const pid of processesWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // Already gone.
    }
  }
  return killed;
}

/**
 * Memory of the given processes together, in bytes: each one's proportional set size (`Pss` of
 * `/proc/<pid>/smaps_rollup`: its resident pages, with every page shared by n processes counted 1/n). The
 * processes of one Chromium map the same libraries, so summing their plain RSS counts those pages once per
 * process (1.9 GB against a PSS of 0.4 GB for the demo's browser). Where the kernel offers no
 * `smaps_rollup` (before Linux 4.14) a process counts with its `VmRSS`: an overestimate, never an
 * underestimate. A process that exited meanwhile counts 0.
 */
export function processTreeBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += kilobytesOf(pid, 'smaps_rollup', /^Pss:\s+(\d+) kB$/m) ?? kilobytesOf(pid, 'status', /^VmRSS:\s+(\d+) kB$/m) ?? 0;
  return total * 1024;
}

/**
 * Plain resident memory (`VmRSS`) of the given processes together, in bytes; a process that exited
 * meanwhile counts 0. Shared pages count once per process: for one Chromium prefer `processTreeBytes`.
 */
export function residentBytes(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) total += kilobytesOf(pid, 'status', /^VmRSS:\s+(\d+) kB$/m) ?? 0;
  return total * 1024;
}

/** A `… kB` field of a `/proc/<pid>/` file, or null when the file or the field cannot be read. */
function kilobytesOf(pid: number, file: string, field: RegExp): number | null {
  try {
    const match = field.exec(readFileSync(`/proc/${pid}/${file}`, 'latin1'));
    return match === null ? null : Number(match[1]);
  } catch {
    // The process exited while we looked, or the file does not exist on this kernel.
    return null;
  }
}
