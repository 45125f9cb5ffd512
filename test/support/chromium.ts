/** The Chromium of the browser suites, found the way the service finds it (DESIGN §6). */
import { ChromiumNotFoundError, findChromium } from '../../src/erp/chromium-path.js';

export interface TestChromium {
  /** The executable, or null when the machine has none. */
  readonly chromium: string | null;
  /** Why the suite is skipped (empty when it runs): the service's own message, with its install hint. */
  readonly skipReason: string;
}

/**
 * `CHROMIUM_PATH` or the usual system paths. A machine without Chromium skips the suite and says why,
 * once, on the console: never a failure (`.ci/run` installs Debian's chromium, so CI always runs them).
 */
export function chromiumForTests(suite: string): TestChromium {
  try {
    return { chromium: findChromium(), skipReason: '' };
  } catch (err) {
    if (!(err instanceof ChromiumNotFoundError)) throw err;
    console.warn(`${suite} skipped: ${err.message}`);
    return { chromium: null, skipReason: err.message };
  }
}
