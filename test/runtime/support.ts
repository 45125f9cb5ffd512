/**
 * Shared pieces of the runtime tests: a configuration over a temp data dir, an export source whose
 * downloads a test can hold, fail or let through, a larger orders export (several 500-row batches),
 * and waiting for the orchestrator's facts instead of sleeping.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../../src/config.js';
import { DirectorySource } from '../../src/erp/directory-source.js';
import { SourceError, type DownloadedExport, type DownloadRequest, type ExportSource, type SourceErrorClass } from '../../src/erp/export-source.js';
import type { OrchestratorPort, RuntimeEvent } from '../../src/runtime/orchestrator-port.js';
import type { Runtime } from '../../src/runtime/runtime.js';
import { generateDataset } from '../../src/simulator/dataset.js';
import { renderExportToFile } from '../../src/simulator/render-export.js';

/** The committed fixture exports (`npm start` runs on them). */
export const FIXTURE_EXPORTS = fileURLToPath(new URL('../../fixtures/exports/', import.meta.url));

/** A bearer token long enough for `loadConfig`. */
export const TOKEN = 'runtime-test-token-0123456789';

export { tempDir } from '../support/export-records.js';

/** The configuration of a test runtime: data in `dataDir`, exports from `exportDir`, the rest as `env` says. */
export function testConfig(dataDir: string, exportDir: string = FIXTURE_EXPORTS, env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: dataDir, ERP_EXPORT_DIR: exportDir, API_TOKEN: TOKEN, LOG_LEVEL: 'silent', ...env });
}

/** What a {@link ScriptedSource} does with the next downloads. */
export type DownloadMode = { kind: 'pass' } | { kind: 'hold' } | { kind: 'stubborn' } | { kind: 'fail'; failure: SourceErrorClass };

/**
 * An export source a test steers: `pass` copies the fixture like the directory source; `hold` waits
 * until `release()` (honouring the run's signal, like a real download); `stubborn` waits for `release()`
 * and ignores the signal (a download that cannot be interrupted); `fail` rejects with a classified error.
 */
export class ScriptedSource implements ExportSource {
  readonly kind = 'scripted';
  mode: DownloadMode = { kind: 'pass' };
  /** Every download asked for, in order (`service@account`). */
  readonly requested: string[] = [];
  private readonly directory: DirectorySource;
  private waiting: Array<() => void> = [];

  constructor(exportDir: string = FIXTURE_EXPORTS) {
    this.directory = new DirectorySource(exportDir);
  }

  async download(request: DownloadRequest): Promise<DownloadedExport> {
    this.requested.push(`${request.service}@${request.account}`);
    const mode = this.mode;
    if (mode.kind === 'fail') throw new SourceError(mode.failure, `scripted ${mode.failure}`);
    if (mode.kind === 'hold' || mode.kind === 'stubborn') await this.gate(mode.kind === 'hold' ? request.signal : undefined);
    return this.directory.download({ ...request, ...(mode.kind === 'stubborn' ? { signal: new AbortController().signal } : {}) });
  }

  /** Lets every held download through (later ones follow `mode`). */
  release(): void {
    for (const open of this.waiting.splice(0)) open();
  }

  /** Downloads waiting for `release()`. */
  get held(): number {
    return this.waiting.length;
  }

  async close(): Promise<void> {}

  private gate(signal: AbortSignal | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const open = (): void => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = (): void => {
        this.waiting = this.waiting.filter((w) => w !== open);
        reject(signal?.reason ?? new Error('aborted'));
      };
      if (signal?.aborted) return abort();
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(open);
    });
  }
}

/** Simulates a crash in-process: what the last flush wrote is all that survives; the actor stops, nothing else is written. */
export function crash(orchestrator: Runtime): void {
  orchestrator.persistence.flush();
  orchestrator.persistence.stop();
  orchestrator.actor.stop();
}

/** Every event of a runtime, from now on. */
export function recordEvents(runtime: OrchestratorPort): RuntimeEvent[] {
  const events: RuntimeEvent[] = [];
  runtime.subscribe((event) => void events.push(event));
  return events;
}

/**
 * The first event from now on that matches `predicate` (checked as the event happens, inside the
 * actor's step); rejects after `timeoutMs` with what was seen.
 */
export function nextEvent(runtime: OrchestratorPort, predicate: (event: RuntimeEvent) => boolean, timeoutMs = 50_000): Promise<RuntimeEvent> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no matching event within ${timeoutMs} ms; saw ${seen.slice(-20).join(', ') || 'nothing'}`));
    }, timeoutMs);
    const stop = runtime.subscribe((event) => {
      seen.push(`${event.type}${typeof event.target === 'string' ? `(${event.target})` : ''}`);
      if (!predicate(event)) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

/** An event of `type`, about `target` when given. */
export function fact(type: string, target?: string): (event: RuntimeEvent) => boolean {
  return (event) => event.type === type && (target === undefined || event.target === target);
}

/** The dispatch region becoming idle: every queued and chained run is done. */
export const dispatchIdle = (event: RuntimeEvent): boolean =>
  event.type === 'orchestrator.state' && (event.state as { dispatch: string }).dispatch === 'idle';

/** Records of the orders export {@link writeLargeOrders} renders: three 500-row batches (500 + 500 + 300). */
export const LARGE_ORDERS = 1_300;

/** Renders an orders export of {@link LARGE_ORDERS} records as `<dir>/orders.pdf`. */
export async function writeLargeOrders(dir: string): Promise<string> {
  const dataset = generateDataset({ seed: 'runtime-resume', customers: 120, products: 10, prices: 10, orders: LARGE_ORDERS });
  const file = join(dir, 'orders.pdf');
  await renderExportToFile(file, 'orders', dataset.orders.slice(0, LARGE_ORDERS));
  return file;
}
