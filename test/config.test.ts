import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration from the environment', () => {
  it('runs with no variables at all: the built-in simulator with two agents, fast time, a generated token', () => {
    const c = loadConfig({});
    expect(c.erpMode).toBe('simulator');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.serviceAccount.name).toBe('default');
    expect(c.agentAccounts.map((a) => a.name)).toEqual(['agent1', 'agent2']);
    expect(c.apiTokenGenerated).toBe(true);
    expect(c.apiToken.length).toBeGreaterThanOrEqual(24);
    expect(c.syncConcurrency).toBe(1);
    expect(c.timeScale).toBe(60);
  });

  it('reads hand-made exports from a folder: one default account serving both roles, real time', () => {
    const c = loadConfig({ ERP_EXPORT_DIR: 'fixtures/exports' });
    expect(c.erpMode).toBe('directory');
    expect(c.exportDir).toMatch(/fixtures\/exports$/);
    expect(c.agentAccounts.map((a) => a.name)).toEqual(['default']);
    expect(c.timeScale).toBe(1);
  });

  it('needs passwords for a real ERP', () => {
    expect(() => loadConfig({ ERP_URL: 'https://erp.example.com/Archibald', ERP_ACCOUNTS: 'agent1' })).toThrow(
      /ERP_PASSWORD: required with ERP_URL[\s\S]*account "agent1" needs a password/,
    );
  });

  it('reads agent accounts with passwords', () => {
    const c = loadConfig({ ERP_USERNAME: 'svc', ERP_PASSWORD: 'pw', ERP_ACCOUNTS: 'agent1:a:b, agent2:x' });
    expect(c.serviceAccount).toEqual({ name: 'svc', password: 'pw' });
    expect(c.agentAccounts).toEqual([
      { name: 'agent1', password: 'a:b' },
      { name: 'agent2', password: 'x' },
    ]);
  });

  it('reports every problem at once, one line each', () => {
    let err: unknown;
    try {
      loadConfig({ PORT: 'abc', SYNC_CONCURRENCY: '0', TIME_SCALE: '-3', LOG_LEVEL: 'loud', API_TOKEN: 'short', ERP_URL: 'ftp://x', ERP_ACCOUNTS: 'a b,c,c' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(10);
    expect(problems[0]).toBe('PORT="abc": must be an integer port 0–65535');
    expect(problems.join('\n')).toMatch(/ERP_ACCOUNTS: account "c" is listed twice/);
  });

  it.each(['0x0F3F', '1e3', '0b11', '+80', ' 8_0'])('refuses PORT=%j instead of coercing it to a number', (port) => {
    expect(() => loadConfig({ PORT: port })).toThrow(/PORT=".*": must be an integer port 0–65535/);
  });

  it('reads decimal settings as written', () => {
    expect(loadConfig({ PORT: '8080', COMPLETENESS_MIN: '0.85' })).toMatchObject({ port: 8080, completenessMin: 0.85 });
  });

  it('takes LOG_FORMAT json or pretty, and chooses by the output when unset', () => {
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({}).logFormat).toBeNull();
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(/LOG_FORMAT="xml": must be json or pretty/);
  });

  it('keeps the inspector relay on loopback:8080 unless INSPECT_HOST and INSPECT_PORT say otherwise, and checks both', () => {
    expect(loadConfig({})).toMatchObject({ inspect: false, inspectHost: '127.0.0.1', inspectPort: 8080 });
    expect(loadConfig({ INSPECT: '1', INSPECT_HOST: '0.0.0.0', INSPECT_PORT: '9229' })).toMatchObject({ inspect: true, inspectHost: '0.0.0.0', inspectPort: 9229 });
    expect(() => loadConfig({ INSPECT_HOST: 'http://x', INSPECT_PORT: '80000' })).toThrow(ConfigError);
    try {
      loadConfig({ INSPECT_HOST: 'http://x', INSPECT_PORT: '80000' });
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'INSPECT_PORT="80000": must be an integer port 0–65535',
        'INSPECT_HOST="http://x": must be a host name or IP address such as 127.0.0.1',
      ]);
    }
  });

  it('keeps the ERP window off in the demo and with hand-made exports, and 07:00-20:00 in Rome against a real ERP', () => {
    expect(loadConfig({})).toMatchObject({ erpHours: null, erpTimeZone: 'Europe/Rome' });
    expect(loadConfig({ ERP_EXPORT_DIR: 'fixtures/exports' }).erpHours).toBeNull();
    const real = { ERP_URL: 'https://erp.example.com/Archibald', ERP_PASSWORD: 'pw' };
    expect(loadConfig(real)).toMatchObject({ erpHours: { opens: 420, closes: 1200 }, erpTimeZone: 'Europe/Rome' });
    expect(loadConfig({ ...real, ERP_HOURS: 'off' }).erpHours).toBeNull();
    expect(loadConfig({ ...real, ERP_HOURS: 'OFF' }).erpHours).toBeNull();
    expect(loadConfig({ ERP_HOURS: '06:30-21:15', ERP_TIME_ZONE: 'Europe/Berlin' })).toMatchObject({ erpHours: { opens: 390, closes: 1275 }, erpTimeZone: 'Europe/Berlin' });
  });

  it('refuses a malformed ERP_HOURS or an unknown ERP_TIME_ZONE with one line each', () => {
    try {
      loadConfig({ ERP_HOURS: '7-20', ERP_TIME_ZONE: 'Mars/Olympus' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'ERP_TIME_ZONE="Mars/Olympus": must be a time zone of the IANA database such as Europe/Rome',
        'ERP_HOURS="7-20": must be HH:MM-HH:MM in ERP_TIME_ZONE, such as 07:00-20:00, or off',
      ]);
    }
    expect(() => loadConfig({ ERP_HOURS: '20:00-20:00' })).toThrow(/ERP_HOURS="20:00-20:00"/);
  });

  it('relaunches the browser every 90 minutes and renews ERP sessions every 4 hours unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ browserRecycleMs: 90 * 60_000, sessionMaxAgeMs: 240 * 60_000 });
    expect(loadConfig({ BROWSER_RECYCLE_MINUTES: '30', ERP_SESSION_MAX_AGE_MINUTES: '120' })).toMatchObject({ browserRecycleMs: 30 * 60_000, sessionMaxAgeMs: 120 * 60_000 });
    expect(() => loadConfig({ BROWSER_RECYCLE_MINUTES: '0' })).toThrow(/BROWSER_RECYCLE_MINUTES="0": must be a whole number of minutes 1–1440/);
  });
});
