/**
 * A process whose event loop blocks for good as soon as it handles SIGTERM (what a synchronous write
 * retrying on a dead stdout did): only the exit watchdog can end it. `WATCHDOG=off` leaves it unarmed.
 */
import { startExitWatchdog } from '../../src/exit-watchdog.js';

const watchdog = startExitWatchdog(Number(process.env.GRACE_MS ?? 500));
process.on('SIGTERM', () => {
  if (process.env.WATCHDOG !== 'off') watchdog.arm();
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
});
setInterval(() => {}, 1_000);
process.stdout.write('ready\n');
