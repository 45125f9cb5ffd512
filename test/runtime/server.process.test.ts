import { afterEach, describe, expect, it } from 'vitest';
import { openOrchestratorDb } from '../../src/stores/orchestrator-db.js';
import { SERVICE_MALLOC_ARENA_MAX, glibcVersion } from '../../src/runtime/allocator.js';
import { ready, serve as start } from '../../harness/service-process.js';
import { FIXTURE_EXPORTS, TOKEN, tempDir } from './support.js';

/** `sync-orchestrator serve` as an operator runs it: a real process, real signals, real sockets. */

const PROCESS_MS = 60_000;

const cleanup: Array<() => void> = [];
afterEach(() => {
  for (const step of cleanup.splice(0)) step();
});

function serve(env: Record<string, string>): ReturnType<typeof start> {
  const served = start(env);
  cleanup.push(() => served.child.kill('SIGKILL'));
  return served;
}

describe('sync-orchestrator serve', () => {
  it('prints one ready block, answers the API, and on SIGTERM pauses, writes its snapshot and exits 0', async () => {
    const data = tempDir('runtime-serve-');
    cleanup.push(() => data.remove());
    const served = serve({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.path, API_TOKEN: TOKEN, ERP_EXPORT_DIR: FIXTURE_EXPORTS, LOG_LEVEL: 'warn' });
    const url = await ready(served);

    expect(served.output().match(/sync-orchestrator is ready/g)).toHaveLength(1);
    expect(served.output()).toContain(`data dir       ${data.path}`);
    expect(served.output()).not.toContain(TOKEN);
    // Started as npm start starts it: with glibc's arena cap, said in the ready block.
    const glibc = glibcVersion();
    if (glibc === null) expect(served.output()).not.toMatch(/^ {2}memory /m);
    else expect(served.output()).toContain(`  memory         glibc ${glibc}, MALLOC_ARENA_MAX=${SERVICE_MALLOC_ARENA_MAX}\n`);
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: expect.stringMatching(/^(ok|degraded|down)$/) });
    expect((await fetch(`${url}/api/sync/status`)).status).toBe(401);
    const auth = { authorization: `Bearer ${TOKEN}` };
    const all = await fetch(`${url}/api/sync/all`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
    expect(all.status).toBe(202);
    const status = await fetch(`${url}/api/sync/status`, { headers: auth });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ source: 'directory', state: { dispatch: 'running' } });
    expect((await fetch(`${url}/api/sync/runs`, { headers: auth })).status).toBe(200);

    served.child.kill('SIGTERM');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    const store = openOrchestratorDb(data.path);
    try {
      expect(store.loadEnvelope()).toMatchObject({ machineVersion: 1, snapshot: { context: { operatorPause: { reason: 'shutdown', transient: true } } } });
    } finally {
      store.close();
    }
  }, PROCESS_MS);

  it('prints the generated token once when API_TOKEN is unset', async () => {
    const data = tempDir('runtime-serve-');
    cleanup.push(() => data.remove());
    const served = serve({ PORT: '0', DATA_DIR: data.path, ERP_EXPORT_DIR: FIXTURE_EXPORTS, LOG_LEVEL: 'silent' });
    await ready(served);
    const token = /^ {2}API token +(\S+) +\(generated/m.exec(served.output())?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    served.child.kill('SIGINT');
    expect(await served.exited).toEqual({ code: 0, signal: null });
    expect(served.output().split(token ?? '').length - 1).toBe(1);
  }, PROCESS_MS);

  it('stops at start with one line per configuration problem and exit code 2', async () => {
    const served = serve({ PORT: 'eighty', SYNC_CONCURRENCY: '0' });
    expect(await served.exited).toEqual({ code: 2, signal: null });
    expect(served.output().trim().split('\n')).toEqual([
      'PORT="eighty": must be an integer port 0–65535',
      'SYNC_CONCURRENCY="0": must be an integer 1–64',
    ]);
  }, PROCESS_MS);
});
