/**
 * `npm run chaos -- [--kills 50] [--seed chaos] [--mode directory|demo] [--max-minutes N] [--keep]`: see `harness/chaos.ts`.
 * Prints one line per kill and a summary; exits 1 on any violation.
 */
import { fail, harnessArgs } from './cli-args.js';
import { KILL_PHASES, runChaos } from './chaos.js';
import { stopChildrenOnSignal } from './service-process.js';

const values = harnessArgs('usage: npm run chaos -- [--kills 20] [--seed chaos] [--mode directory|demo] [--max-minutes N] [--keep]', {
  kills: { type: 'string', default: '20' },
  seed: { type: 'string', default: 'chaos' },
  mode: { type: 'string', default: 'directory' },
  keep: { type: 'boolean', default: false },
  'max-minutes': { type: 'string' },
});
const kills = Number(values.kills);
if (!Number.isInteger(kills) || kills < 1) fail(`--kills must be a positive integer, got ${values.kills}`);
if (values.mode !== 'directory' && values.mode !== 'demo') fail(`--mode must be directory or demo, got ${values.mode}`);

const maxMinutes = values['max-minutes'] === undefined ? undefined : Number(values['max-minutes']);
if (maxMinutes !== undefined && !(maxMinutes > 0)) fail(`--max-minutes must be a positive number, got ${values['max-minutes']}`);
stopChildrenOnSignal();
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const began = Date.now();
const report = await runChaos({ kills, seed: values.seed, mode: values.mode, keep: values.keep, log, ...(maxMinutes === undefined ? {} : { maxMs: maxMinutes * 60_000 }) });
const byPhase = KILL_PHASES.map((phase) => `${phase} ${report.kills.filter((k) => k.aimed === phase).length}`).join(', ');
log('');
log(`chaos: ${report.kills.length} kills (${byPhase}) in ${Math.round((Date.now() - began) / 1000)} s, mode ${report.mode}`);
log(`  integrity failures            ${report.integrityFailures.length}`);
log(`  lost acknowledged commands    ${report.lostCommands.length}`);
log(`  tables differing from reference ${report.mode === 'directory' ? report.tableDifferences.length : 'n/a (the simulator moves on)'}`);
log(`  orphan Chromium               ${report.orphanChromium}`);
log(`  slowest restart to ready      ${report.slowestReadyMs} ms`);
log(`  slowest full cycle after a kill ${report.convergeMs} ms`);
const { renderMs, killMs, recoverMs, referenceMs } = report.timings;
log(`  time spent                    render ${renderMs} ms, kills ${killMs} ms, recoveries ${recoverMs} ms, reference ${referenceMs} ms`);
for (const violation of report.violations) log(`  VIOLATION ${violation}`);
process.exitCode = report.violations.length > 0 ? 1 : 0;
