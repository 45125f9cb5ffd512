/** Starts the real `sync-orchestrator serve` as a child process, as an operator or a supervisor would. */
import type { StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnService, type Served } from '../../harness/service-process.js';

/** A started service, on a port and in a data folder the test knows before it answers. */
export interface ServeProcess extends Served {
  url: string;
  dataDir: string;
}

/** The token the test services are configured with. */
export const SERVE_TOKEN = 'serve-test-token-0123456789';

/** A port nothing listens on right now (the service is told it through PORT). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns `serve` on the hand-made fixture exports (no browser) with `stdio`, in a fresh DATA_DIR unless `env` names one. */
export async function spawnServe(stdio: StdioOptions, env: Record<string, string> = {}): Promise<ServeProcess> {
  const port = await freePort();
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'serve-'));
  const served = spawnService({ ...process.env, PORT: String(port), DATA_DIR: dataDir, ERP_EXPORT_DIR: 'fixtures/exports', API_TOKEN: SERVE_TOKEN, LOG_FORMAT: 'json', ...env }, stdio);
  return { ...served, url: `http://127.0.0.1:${port}`, dataDir };
}

/** GET `path` with a bounded wait; null when no answer came in time. */
export async function get(url: string, path: string, timeoutMs = 5_000): Promise<number | null> {
  try {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${SERVE_TOKEN}` }, signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return null;
  }
}

/** Waits until the service answers its health route (its start takes seconds on a loaded machine). */
export async function ready(serve: ServeProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await get(serve.url, '/api/health', 1_000)) === 200) return;
    if (serve.child.exitCode !== null) throw new Error(`serve exited with ${serve.child.exitCode} before it was ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('serve did not become ready');
}

/** Resolves with the exit, or with null when the process is still alive after `ms`. */
export function exitWithin(serve: ServeProcess, ms: number) {
  return Promise.race([serve.exited, new Promise<null>((resolve) => setTimeout(() => resolve(null), ms))]);
}

/** Everything a process wrote to its piped streams (stderr alone when stdout is not piped), once it exited. */
export async function stderrOf(serve: ServeProcess): Promise<string> {
  await serve.exited;
  // 'exit' can come before the last bytes of the pipe were read.
  const stderr = serve.child.stderr;
  if (stderr !== null && !stderr.readableEnded) await Promise.race([once(stderr, 'end'), new Promise((resolve) => setTimeout(resolve, 2_000))]);
  return serve.output();
}
