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
