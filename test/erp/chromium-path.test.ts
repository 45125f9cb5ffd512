import { describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, findChromium, findChromiumOrNull } from '../../src/erp/chromium-path.js';

const only = (...paths: string[]) => (path: string): boolean => paths.includes(path);

describe('finding Chromium', () => {
  it('prefers the configured path over CHROMIUM_PATH and the system paths', () => {
    expect(findChromium({ path: '/opt/c', env: { CHROMIUM_PATH: '/opt/e' }, isExecutable: only('/opt/c', '/opt/e', '/usr/bin/chromium') })).toBe('/opt/c');
  });

  it('uses CHROMIUM_PATH when no path is configured', () => {
    expect(findChromium({ env: { CHROMIUM_PATH: '/opt/e' }, isExecutable: only('/opt/e', '/usr/bin/chromium') })).toBe('/opt/e');
  });

  it('falls back to the first executable system path', () => {
    expect(findChromium({ env: {}, isExecutable: only('/usr/bin/chromium-browser', '/usr/bin/google-chrome') })).toBe('/usr/bin/chromium-browser');
  });

  it('refuses a CHROMIUM_PATH that is not executable instead of silently using another browser', () => {
    expect(() => findChromium({ env: { CHROMIUM_PATH: '/nope' }, isExecutable: only('/usr/bin/chromium') })).toThrow(/CHROMIUM_PATH=\/nope is not an executable file/);
  });

  it('says how to install one when there is none', () => {
    const find = () => findChromium({ env: {}, isExecutable: () => false });
    expect(find).toThrow(ChromiumNotFoundError);
    expect(find).toThrow(/apt-get install chromium.*or set CHROMIUM_PATH/);
    expect(findChromiumOrNull({ env: {}, isExecutable: () => false })).toBeNull();
  });
});
