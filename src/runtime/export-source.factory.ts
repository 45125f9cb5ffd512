import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { BrowserSource, browserWorkDir } from '../erp/browser-source.js';
import { DirectorySource } from '../erp/directory-source.js';
import type { DownloadedExport, DownloadRequest, ExportSource } from '../erp/export-source.js';
import { startErpSimulator, type RunningErpSimulator } from '../simulator/erp-simulator.js';

/**
 * Chooses and builds the export source from the configuration (DESIGN §6, §8): a folder of hand-made
 * exports, the real ERP through Chromium, or — with neither configured — the built-in ERP simulator
 * through Chromium, so that `npm start` shows the whole system working on a fresh machine.
 */

/** The source, and what the ready block tells the operator about it. */
export interface ExportSetup {
  source: ExportSource;
  description: string;
  /** The browser's folder, which every Chromium process of the source names on its command line; null without a browser. */
  browserDir: string | null;
}

/** Real milliseconds per simulated hour at TIME_SCALE 1: the simulator's data changes as time passes. */
const HOUR_MS = 3_600_000;

/** The built-in simulator's dataset, inside `DATA_DIR`. */
export const SIMULATOR_DATA_FILE = 'simulator-data.json';

/**
 * Builds the export source of `config.erpMode`.
 * @throws ChromiumNotFoundError (with an install hint) when a browser mode finds no Chromium.
 */
export async function createExportSource(config: Config, logger: Logger): Promise<ExportSetup> {
  if (config.erpMode === 'directory') {
    return { source: new DirectorySource(config.exportDir!), description: `folder ${config.exportDir}`, browserDir: null };
  }
  const accounts = [config.serviceAccount, ...config.agentAccounts.filter((a) => a.name !== config.serviceAccount.name)];
  const browserOptions = {
    accounts,
    dataDir: config.dataDir,
    logger: logger.child({ component: 'browser' }),
    // Politeness towards the ERP (ERP-UI §2): sessions reused for hours, the browser relaunched on a period.
    recycleAfterMs: config.browserRecycleMs,
    sessionMaxAgeMs: config.sessionMaxAgeMs,
    timeZone: config.erpTimeZone,
    ...(config.chromiumPath === null ? {} : { chromiumPath: config.chromiumPath }),
  };
  if (config.erpMode === 'erp') {
    const source = new BrowserSource({ ...browserOptions, erpUrl: config.erpUrl! });
    return { source, description: `Chromium → ${config.erpUrl}`, browserDir: browserWorkDir(config.dataDir) };
  }
  const simulator = await startErpSimulator({
    accounts: accounts.map((a) => ({ name: a.name, password: a.password ?? '' })),
    hourMs: HOUR_MS / config.timeScale,
    // Kept across restarts, as a real ERP's data is: a reseeded dataset would make the next runs delete rows.
    dataFile: join(config.dataDir, SIMULATOR_DATA_FILE),
  });
  let browser: BrowserSource;
  try {
    browser = new BrowserSource({ ...browserOptions, erpUrl: simulator.url });
  } catch (error) {
    await simulator.close();
    throw error;
  }
  return {
    source: new SimulatedErpSource(browser, simulator),
    browserDir: browserWorkDir(config.dataDir),
    description: `Chromium → built-in ERP simulator at ${simulator.url} (accounts ${accounts.map((a) => a.name).join(', ')}; downloads in ${join(config.dataDir, 'downloads')})`,
  };
}

/** The browser source driving the in-process simulator; closing it stops both. */
class SimulatedErpSource implements ExportSource {
  readonly kind = 'browser (built-in ERP simulator)';

  constructor(
    private readonly browser: BrowserSource,
    private readonly simulator: RunningErpSimulator,
  ) {}

  download(request: DownloadRequest): Promise<DownloadedExport> {
    return this.browser.download(request);
  }

  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await this.simulator.close();
    }
  }
}
