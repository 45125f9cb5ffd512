/**
 * `npm run soak -- [--cycles 1000] [--time-scale 600] [--seed soak] [--warmup 200] [--wait-bound-ms N]
 * [--concurrency 3] [--max-minutes 240] [--simulator process|in-service]`: see `harness/soak.ts`. Prints progress every 100 cycles and a summary; exits 1 on
 * any violation.
 */
import { fail, harnessArgs } from './cli-args.js';
import { runSoak } from './soak.js';
import { stopChildrenOnSignal } from './service-process.js';

const USAGE =
  'usage: npm run soak -- [--cycles 1000] [--time-scale 600] [--concurrency 3] [--seed soak] [--warmup N] [--wait-bound-ms N]\n' +
  '       [--wal-bound-mb 64] [--rss-slope-mb 1] [--max-minutes 240] [--fault-every-s 5-30] [--simulator process|in-service]';
const values = harnessArgs(USAGE, {
    cycles: { type: 'string', default: '1000' },
    'time-scale': { type: 'string', default: '600' },
    concurrency: { type: 'string', default: '3' },
    seed: { type: 'string', default: 'soak' },
    warmup: { type: 'string' },
    'wait-bound-ms': { type: 'string' },
    'wal-bound-mb': { type: 'string', default: '64' },
    'rss-slope-mb': { type: 'string', default: '1' },
    'max-minutes': { type: 'string', default: '240' },
    'fault-every-s': { type: 'string', default: '5-30' },
    simulator: { type: 'string', default: 'process' },
});

/** A flag as a number within `min`–`max`, or one clear line and exit 2. */
function number(name: keyof typeof values, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = values[name];
  const n = typeof raw === 'string' && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) {
    fail(`--${name} must be a number ${min}–${max}, got ${String(raw)}`);
  }
  return n;
}

const cycles = number('cycles', 1);
const faultEvery = /^(\d+)-(\d+)$/.exec(values['fault-every-s'] ?? '');
if (faultEvery === null || Number(faultEvery[1]) > Number(faultEvery[2])) {
  fail(`--fault-every-s must be a range of seconds such as 5-30 (0-0: no faults), got ${values['fault-every-s']}`);
}
if (values.simulator !== 'process' && values.simulator !== 'in-service') {
  fail(`--simulator must be process (its own process, as the real ERP is) or in-service (the demo as npm start runs it), got ${values.simulator}`);
}
stopChildrenOnSignal();
const log = (line: string): void => void process.stdout.write(`${line}\n`);
log('soak: a cycle is one finished sync run (completed or failed, any target): schedule → queue → Chromium download → parse → apply');
const report = await runSoak({
  cycles,
  timeScale: number('time-scale', 1, 100_000),
  concurrency: number('concurrency', 1, 64),
  seed: values.seed,
  // A fifth of the cycles warm up (at least 50): the first parses, Chromium's first pages, caches filling.
  warmupCycles: values.warmup === undefined ? Math.max(50, Math.floor(cycles / 5)) : number('warmup', 0),
  ...(values['wait-bound-ms'] === undefined ? {} : { waitBoundMs: number('wait-bound-ms', 1) }),
  walBoundBytes: number('wal-bound-mb', 1) * 1024 * 1024,
  rssSlopeBoundMb: number('rss-slope-mb', 0),
  maxMs: number('max-minutes', 1) * 60_000,
  faultEveryMs: [Number(faultEvery[1]) * 1_000, Number(faultEvery[2]) * 1_000],
  simulator: values.simulator,
  log,
  ...(process.env.CHROMIUM_PATH === undefined ? {} : { chromiumPath: process.env.CHROMIUM_PATH }),
});
const mb = (n: number): string => `${n.toFixed(1)} MB`;
log('');
log(`soak: ${report.cycles} cycles in ${Math.round(report.durationMs / 1000)} s at TIME_SCALE ${values['time-scale']}, ${report.faultChanges} fault changes`);
log(`  ERP simulator                 ${report.simulator === 'process' ? 'its own process (the service RSS is the service alone)' : 'inside the service (the demo as npm start runs it)'}`);
log(`  service's allocator           ${report.allocator ?? 'not glibc (no arena cap to report)'}`);
log(`  runs by outcome               ${Object.entries(report.outcomes).map(([outcome, n]) => `${outcome} ${n}`).join(', ')}`);
log(`  breaker openings              ${report.breakerOpenings}`);
log(`  RSS                           ${report.rssMb.afterWarmup === null ? 'n/a' : mb(report.rssMb.afterWarmup)} after warm-up, ${mb(report.rssMb.last)} at the end, ${mb(report.rssMb.max)} max`);
log(`  RSS slope after warm-up       ${report.rssSlopeMbPer100 === null ? 'not measured (fewer than 100 cycles after warm-up)' : `${report.rssSlopeMbPer100.toFixed(2)} MB per 100 cycles`}`);
log(`  RSS floor slope (least of 20)  ${report.rssFloorSlopeMbPer100 === null ? 'not measured' : `${report.rssFloorSlopeMbPer100.toFixed(2)} MB per 100 cycles`}`);
const heap = (series: typeof report.heapMb): string =>
  series.afterWarmup === null ? 'n/a' : `${mb(series.afterWarmup)} after warm-up, ${mb(series.last)} at the end, ${mb(series.max)} max${series.slopePer100 === null ? '' : `, slope ${series.slopePer100.toFixed(2)} MB per 100 cycles`}`;
log(`  main-thread heap in use       ${heap(report.heapMb)}`);
log(`  main-thread heap committed    ${heap(report.heapTotalMb)}`);
log(`  external (Buffers, native)    ${heap(report.externalMb)}`);
log(`  parse worker heap committed   ${heap(report.workerHeapMb)}`);
log(`  parse workers                 ${report.parseWorkers.started} started for ${report.parseWorkers.tasks} tasks (one kept warm; a parse beside another starts its own)`);
log(`  rows in the data stores        ${report.storeRows.afterWarmup ?? 'n/a'} after warm-up, ${report.storeRows.last} at the end`);
log(`  largest WAL                   ${mb(report.walMaxBytes / 1024 / 1024)}`);
log(`  zombie / orphan Chromium      ${report.zombieChromium} / ${report.orphanChromium}`);
log(`  unhandled rejections          ${report.unhandledRejections}`);
log(`  longest run                   ${report.longestRunMs} ms (D); ${report.waits.length} targets (N)`);
log(
  report.waitBoundMs === null
    ? `  longest wait queued → started, and each target's bound (machines/ageing.ts at cap ${values.concurrency}, its priority, N, D; + its first slot if never queued):`
    : `  longest wait queued → started (bound ${report.waitBoundMs} ms, --wait-bound-ms):`,
);
for (const wait of report.waits) {
  log(`    ${wait.target.padEnd(22)} ${String(wait.longestMs).padStart(7)} ms${wait.stillWaiting ? ' (still waiting)' : ''}  bound ${wait.boundMs} ms  ${wait.runs} runs`);
}
for (const violation of report.violations) log(`  VIOLATION ${violation}`);
process.exitCode = report.violations.length > 0 ? 1 : 0;
