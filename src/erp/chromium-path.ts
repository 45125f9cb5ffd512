/**
 * Where the Chromium that drives the ERP lives. The product never downloads a browser (the machines it
 * runs on reach only package registries): it uses `CHROMIUM_PATH` or a system package's binary.
 */
import { accessSync, constants } from 'node:fs';

/** System locations tried in order when `CHROMIUM_PATH` is not set (Debian/Ubuntu, Fedora, Chrome, macOS). */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/lib/chromium/chromium',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/google-chrome',
  '/opt/google/chrome/chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

/** How to get a browser, for the one line an operator sees when none is found. */
export const CHROMIUM_INSTALL_HINT =
  'install one (Debian/Ubuntu: `sudo apt-get install chromium`; Fedora: `sudo dnf install chromium`) or set CHROMIUM_PATH to a Chromium or Chrome binary';

/** No usable Chromium. */
export class ChromiumNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumNotFoundError';
  }
}

/** Options of `findChromium` (injectable for tests). */
export interface FindChromiumOptions {
  /** An explicit path (config `chromiumPath`); wins over the environment. */
  path?: string | null;
  env?: NodeJS.ProcessEnv;
  candidates?: readonly string[];
  isExecutable?: (path: string) => boolean;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium to launch: the explicit path, else `CHROMIUM_PATH`, else the first executable system
 * candidate. Throws `ChromiumNotFoundError` with a one-line message saying how to get one. An explicit
 * path that is not executable is an error, not a reason to fall back silently to another browser.
 */
export function findChromium(options: FindChromiumOptions = {}): string {
  const isExecutable = options.isExecutable ?? executable;
  const explicit = options.path ?? options.env?.CHROMIUM_PATH ?? (options.env ? undefined : process.env.CHROMIUM_PATH);
  if (explicit !== undefined && explicit !== null && explicit.trim() !== '') {
    if (isExecutable(explicit)) return explicit;
    throw new ChromiumNotFoundError(`CHROMIUM_PATH=${explicit} is not an executable file; ${CHROMIUM_INSTALL_HINT}`);
  }
  const candidates = options.candidates ?? CHROMIUM_CANDIDATES;
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new ChromiumNotFoundError(`no Chromium found (looked in ${candidates.join(', ')}); ${CHROMIUM_INSTALL_HINT}`);
}

/** `findChromium`, or null when there is none (for callers that skip browser work, such as tests). */
export function findChromiumOrNull(options: FindChromiumOptions = {}): string | null {
  try {
    return findChromium(options);
  } catch (err) {
    if (err instanceof ChromiumNotFoundError) return null;
    throw err;
  }
}
