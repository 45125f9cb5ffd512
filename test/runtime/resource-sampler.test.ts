import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCE_LIMITS } from '../../machines/catalog.js';
import { selectStatus } from '../../machines/orchestrator.machine.js';
import { sampleChangesGuard } from '../../machines/resource-guard.js';
import { ResourceSampler } from '../../src/runtime/resource-sampler.js';
import { OrchestratorHarness } from '../machines/harness.js';
import { tempDir } from './support.js';

const MB = 1024 * 1024;
const silent = pino({ level: 'silent' });
const children: ChildProcess[] = [];
const dirs: Array<{ remove: () => void }> = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) dir.remove();
});

function sampler(browserDir: string | null = null, sent: unknown[] = []): ResourceSampler {
  return new ResourceSampler({ send: (event) => void sent.push(event), now: () => 0, browserDir, logger: silent });
}

/**
 * A stand-in for a Chromium process: a process that names a profile under `browserDir` on its command line,
 * as every Chromium process of the service does, and holds `mb` of touched memory.
 */
async function fakeBrowserProcess(browserDir: string, mb: number): Promise<ChildProcess> {
  const code = `globalThis.kept = Buffer.alloc(${mb} * 1024 * 1024, 1); process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code, '--', `--user-data-dir=${join(browserDir, 'profile-test')}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await once(child.stdout!, 'data');
  return child;
}

/** Plain resident memory of one process, bytes. */
function vmRss(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))![1]) * 1024;
}

describe('ResourceSampler', () => {
  it("reads the process's own resident memory", () => {
    const readings = sampler().measure();
    const rss = process.memoryUsage.rss() / MB;
    expect(readings.rss).toBeGreaterThan(0);
    // Two reads of one process a moment apart: the same figure up to what the test itself allocates.
    expect(Math.abs(readings.rss - rss)).toBeLessThan(32);
  });

  it('sees the event loop blocked in the window it measures, and starts a new window after each sample', async () => {
    const watched = sampler();
    watched.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 30));
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // Busy: the loop cannot run the monitor's timer for 300 ms.
      }
      await new Promise((resolve) => setTimeout(resolve, 30));
      expect(watched.measure().eventLoopDelay).toBeGreaterThanOrEqual(250);
      // The blocked stretch belongs to the window that was sampled: the next one, measured before the loop
      // ran again, has recorded nothing.
      expect(watched.measure().eventLoopDelay).toBe(0);
    } finally {
      watched.stop();
    }
  });

  it('sums the memory of every process that names the browser folder, shared pages once, and nothing without a browser', async () => {
    const dir = tempDir('guard-');
    dirs.push(dir);
    const browserDir = join(dir.path, 'browser');
    expect(sampler(browserDir).measure().chromiumRss).toBe(0);
    const first = await fakeBrowserProcess(browserDir, 64);
    const one = sampler(browserDir).measure().chromiumRss;
    expect(one).toBeGreaterThanOrEqual(64);
    const second = await fakeBrowserProcess(browserDir, 32);
    const two = sampler(browserDir).measure().chromiumRss;
    expect(two).toBeGreaterThanOrEqual(one + 32);
    // The two map the same node binary and libraries: plain RSS would count those pages twice, PSS once.
    expect(two).toBeLessThan((vmRss(first.pid!) + vmRss(second.pid!)) / MB);
    expect(sampler(null).measure().chromiumRss).toBe(0);
    expect(sampler(join(dir.path, 'other')).measure().chromiumRss).toBe(0);
  });

  it("sends each sample to the orchestrator, whose guard holds starts when the process's real RSS is over its limit", () => {
    const h = new OrchestratorHarness();
    h.restart(h.clock.now(), { resourceLimits: { ...DEFAULT_RESOURCE_LIMITS, rss: 1 } });
    const measured = new ResourceSampler({ send: (event) => h.actor.send(event), now: () => h.clock.now(), browserDir: null, logger: silent }).sample();
    expect(measured).not.toBeNull();
    const guard = selectStatus(h.actor.getSnapshot()).resourceGuard;
    expect(guard.last?.readings).toEqual(measured);
    expect(guard).toMatchObject({ held: true, effectiveConcurrency: 0, reason: `RESOURCE_GUARD(rss, ${Math.round(measured!.rss)} MB)` });
    h.request('orders');
    expect(h.runs.liveTargets()).toEqual([]);
  });
  it('sends only the samples that change the guard: a calm service at rest keeps its snapshot, the latest readings kept by the sampler', () => {
    const h = new OrchestratorHarness();
    h.restart(h.clock.now());
    const sent: unknown[] = [];
    const watched = new ResourceSampler({
      send: (event) => {
        sent.push(event);
        h.actor.send(event);
      },
      matters: (readings) => sampleChangesGuard(h.actor.getSnapshot().context, readings),
      now: () => h.clock.now(),
      browserDir: null,
      logger: silent,
    });
    // The first calm samples count towards recovery (the guard starts with none); once counted, calm ones change nothing.
    for (let i = 0; i < 5; i++) watched.sample();
    const counted = sent.length;
    expect(counted).toBeGreaterThan(0);
    const before = h.actor.getSnapshot();
    for (let i = 0; i < 4; i++) expect(watched.sample()).not.toBeNull();
    const lastReadings = watched.sample();
    expect(sent).toHaveLength(counted);
    expect(h.actor.getSnapshot()).toBe(before);
    // What was not sent is still the sampler's latest: the status shows it.
    expect(watched.latest).toEqual({ at: h.clock.now(), readings: lastReadings });
    // Over a limit, the sample matters again.
    expect(sampleChangesGuard(h.actor.getSnapshot().context, { eventLoopDelay: 0, rss: DEFAULT_RESOURCE_LIMITS.rss + 1, chromiumRss: 0 })).toBe(true);
  });
});
