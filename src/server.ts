import closeWithGrace from 'close-with-grace';
import type { Logger } from 'pino';
import { ApiTokenFileError, keepGeneratedToken } from './api-token.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { ChromiumNotFoundError } from './erp/chromium-path.js';
import { startExitWatchdog, type ExitWatchdog } from './exit-watchdog.js';
import { createLogOutput, defaultLogFormat } from './logging.js';
import { allocatorNote, glibcVersion } from './runtime/allocator.js';
import { createExportSource, type ExportSetup } from './runtime/export-source.factory.js';
import { createInspector, type Inspector } from './runtime/inspector.js';
import { RESOURCE_SAMPLE_MS } from './runtime/resource-sampler.js';
import { createRuntime, type Runtime } from './runtime/runtime.js';
import { SnapshotVersionError } from './runtime/restore.js';
import { SimulatorDataFileError } from './simulator/simulator-data-file.js';
import { startProblems } from './start-checks.js';
import { StoreError } from './stores/errors.js';

/**
 * Process entry of `sync-orchestrator serve` (`npm start`): configuration from the environment, the
 * orchestrator runtime, the HTTP control API, and a graceful shutdown on SIGTERM/SIGINT. With
 * `src/cli.ts`, the only module that writes to stdout/stderr directly: the ready block and start errors
 * are for the operator's eyes.
 */

/**
 * Longest a graceful shutdown may take before the process exits anyway: the pause phase waits up to
 * `SHUTDOWN_PAUSE_MS` (10 s) and abandoned runs get 5 s to stop; the rest is milliseconds.
 */
const SHUTDOWN_GRACE_MS = 30_000;
/**
 * The exit watchdog's deadline: a little after close-with-grace's own timer, which exits with a log line
 * when the event loop is still running; the watchdog covers the case where it is not.
 */
const WATCHDOG_GRACE_MS = SHUTDOWN_GRACE_MS + 2_000;
/** The last log lines of a shutdown get this long to reach a slow reader before the process exits. */
const LOG_FLUSH_MS = 1_000;

/** Exit codes: 0 clean shutdown, 1 failure at start or during shutdown, 2 invalid configuration. */
const EXIT_FAILURE = 1;
const EXIT_INVALID_CONFIG = 2;

/** Runs the service until SIGTERM/SIGINT; resolves with the exit code. */
export async function serve(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`${problem}\n`);
    return EXIT_INVALID_CONFIG;
  }
  // Started first, while nothing can block the main thread yet (see exit-watchdog.ts).
  const watchdog = startExitWatchdog(WATCHDOG_GRACE_MS);
  const problems = await startProblems(config);
  if (problems.length > 0) {
    for (const problem of problems) process.stderr.write(`cannot start: ${problem}\n`);
    return EXIT_FAILURE;
  }
  let tokenFile: string | null;
  try {
    const kept = keepGeneratedToken(config);
    config = { ...config, apiToken: kept.apiToken };
    tokenFile = kept.file;
  } catch (error) {
    if (!(error instanceof ApiTokenFileError)) throw error;
    process.stderr.write(`cannot start: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  // The token never reaches a log line: it is printed once in the ready block when generated, that's all.
  const output = createLogOutput({
    level: config.logLevel,
    format: config.logFormat ?? defaultLogFormat(),
    redact: ['apiToken', '*.apiToken', 'req.headers.authorization'],
  });
  const { logger } = output;

  let exports: ExportSetup;
  try {
    exports = await createExportSource(config, logger);
  } catch (error) {
    if (!(error instanceof ChromiumNotFoundError || error instanceof SimulatorDataFileError)) throw error;
    process.stderr.write(`cannot start: ${error.message}\n`);
    return EXIT_FAILURE;
  }
  const inspector = await createInspector(config, logger);
  let runtime: Runtime;
  try {
    runtime = createRuntime({ config, logger, source: exports.source, browserDir: exports.browserDir, resourceSampleMs: RESOURCE_SAMPLE_MS, ...(inspector === null ? {} : { inspect: inspector.inspect }) });
  } catch (error) {
    inspector?.stop();
    await exports.source.close();
    if (!(error instanceof SnapshotVersionError || error instanceof StoreError)) throw error;
    process.stderr.write(`cannot start: ${error.message}\n`);
    return EXIT_FAILURE;
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp({ orchestrator: runtime.orchestrator, config, logger });
  } catch (error) {
    await runtime.close();
    inspector?.stop();
    throw error;
  }
  // Installed before listening and before the ready block: a supervisor may signal the moment it reads it.
  const shutdown = installShutdown(logger, watchdog, [
    ['stop accepting requests', () => app.close()],
    ['pause runs at their next checkpoint', () => runtime.pauseRuns()],
    ['write the final snapshot', () => runtime.writeFinalSnapshot()],
    ['close databases', () => runtime.closeDatabases()],
    ['stop the inspector', () => inspector?.stop()],
    ['write the last log lines', () => output.flush(LOG_FLUSH_MS)],
  ]);

  let url: string;
  try {
    url = await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    shutdown.uninstall();
    inspector?.stop();
    process.stderr.write(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}\n`);
    await runtime.close();
    return EXIT_FAILURE;
  }
  // Through the log output, so that it comes after the start's log lines and never blocks either.
  output.write(readyBlock(config, tokenFile, url, runtime, inspector, exports));
  return shutdown.done;
}

/**
 * Runs the named phases in order on SIGTERM/SIGINT (or an uncaught error) with close-with-grace, which
 * exits the process after them (or after SHUTDOWN_GRACE_MS); the watchdog is armed before anything
 * else, so the process ends even if the event loop stops during the phases.
 * @returns `done`, resolved with the exit code once the phases ran, and `uninstall`.
 */
function installShutdown(
  logger: Logger,
  watchdog: ExitWatchdog,
  phases: Array<[name: string, run: () => unknown]>,
): { done: Promise<number>; uninstall: () => void } {
  let uninstall = (): void => {};
  const done = new Promise<number>((resolve) => {
    ({ uninstall } = closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger }, async ({ signal, err }) => {
      watchdog.arm();
      if (err) logger.error({ err }, 'shutting down after an unexpected error');
      else logger.info({ signal }, 'shutting down');
      let failures = 0;
      for (const [name, run] of phases) if (!(await phase(logger, name, run))) failures++;
      resolve(err || failures > 0 ? EXIT_FAILURE : 0);
    }));
  });
  return { done, uninstall };
}

/**
 * One named shutdown phase: logged with its duration; a failure is logged and the next phases still run
 * (the databases must be closed even when the snapshot could not be written).
 * @returns whether it succeeded.
 */
async function phase(logger: Logger, name: string, run: () => unknown): Promise<boolean> {
  const started = performance.now();
  try {
    await run();
    logger.info({ phase: name, ms: Math.round(performance.now() - started) }, 'shutdown phase done');
    return true;
  } catch (error) {
    logger.error({ err: error, phase: name }, 'shutdown phase failed');
    return false;
  }
}

function readyBlock(config: Config, tokenFile: string | null, url: string, runtime: Runtime, inspector: Inspector | null, exports: ExportSetup): string {
  const status = runtime.orchestrator.status();
  const started = runtime.restoredFrom === null ? 'first boot' : `restored the snapshot of ${new Date(runtime.restoredFrom).toISOString()}`;
  const memory = allocatorNote(process.env, glibcVersion());
  const lines = [
    '',
    'sync-orchestrator is ready',
    `  API            ${url}/api   (status: GET ${url}/api/sync/status)`,
    config.apiTokenGenerated
      ? `  API token      ${config.apiToken}   (generated once and kept in ${tokenFile}; set API_TOKEN to choose one)`
      : '  API token      from API_TOKEN',
    `  data dir       ${config.dataDir}`,
    `  export source  ${exports.description}`,
    `  dashboard      ${url}/   (paste the API token once)`,
    `  orchestrator   ${started}; ${status.targets.length} targets, state ${status.state.dispatch}`,
    ...(memory === null ? [] : [`  memory         ${memory}`]),
    ...(inspector === null ? [] : [`  inspector      ${inspector.url}   (INSPECT=1: the hosted Stately inspector, needs the internet; the dashboard has an offline one)`]),
    `  stop           Ctrl+C or kill -TERM ${process.pid} (runs pause at their next checkpoint and resume on the next start)`,
    '',
  ];
  return `${lines.join('\n')}\n`;
}
