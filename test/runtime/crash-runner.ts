/**
 * A process that runs the orchestrator on one orders export and kills itself (SIGKILL: no handler, no
 * final write) in the middle of the apply, for `resume.test.ts`:
 *
 *   node --import tsx test/runtime/crash-runner.ts <dataDir> <exportDir> <nowMs> <flushAt> <killAt>
 *
 * The snapshot is written when `flushAt` records were applied (the coalescing interval is set beyond the
 * test, so that this is the only snapshot with a checkpoint), and the process dies once `killAt` records
 * were applied: the databases then hold more batches than the snapshot's checkpoint says, as after a
 * real crash between two snapshot writes.
 */
import { createRuntime } from '../../src/runtime/runtime.js';
import { noTimers } from '../machines/harness.js';
import { testConfig } from './support.js';

const [dataDir, exportDir, nowArg, flushArg, killArg] = process.argv.slice(2);
if (dataDir === undefined || exportDir === undefined || killArg === undefined) {
  process.stderr.write('usage: crash-runner.ts <dataDir> <exportDir> <nowMs> <flushAt> <killAt>\n');
  process.exit(2);
}
const now = Number(nowArg);
const flushAt = Number(flushArg);
const killAt = Number(killArg);

const runtime = createRuntime({ config: testConfig(dataDir, exportDir), now: () => now, schedules: noTimers(), snapshotIntervalMs: 3_600_000 });
let flushed = false;
runtime.orchestrator.subscribe((event) => {
  if (event.type !== 'sync.progress' || event.phase !== 'applying') return;
  const done = event.done as number;
  if (!flushed && done >= flushAt) {
    runtime.persistence.flush();
    flushed = true;
    process.stdout.write(`flushed at ${done}\n`);
  } else if (flushed && done >= killAt) {
    process.stdout.write(`killed at ${done}\n`);
    process.kill(process.pid, 'SIGKILL');
  }
});
runtime.orchestrator.request('orders');
