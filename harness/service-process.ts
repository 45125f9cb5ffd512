import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { SERVICE_MALLOC_ARENA_MAX } from '../src/runtime/allocator.js';

/**
 * `sync-orchestrator serve` as an operator runs it — a real process, real signals, real sockets — for
 * the process tests and the chaos and soak harnesses. The one place that spawns it.
 */

const BIN = fileURLToPath(new URL('../bin/sync-orchestrator.js', import.meta.url));

/** Every process spawned here that has not exited yet. */
const live = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** How long a stopped harness waits for its services to exit after SIGTERM before it kills them. */
const STOP_GRACE_MS = 10_000;

/**
 * Makes Ctrl+C (or a SIGTERM) of a harness command stop what it started: every live service or
 * simulator gets SIGTERM — a service then closes its Chromium, which a SIGKILL would orphan — and
 * SIGKILL after {@link STOP_GRACE_MS}; the command then exits 130 (SIGINT) or 143 (SIGTERM).
 */
export function stopChildrenOnSignal(): void {
  const stop = (signal: NodeJS.Signals, code: number): void => {
    process.stderr.write(`\n${signal}: stopping ${live.size} started process(es)\n`);
    const exits = [...live].map((child) => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }));
    const force = setTimeout(() => {
      for (const child of live) child.kill('SIGKILL');
    }, STOP_GRACE_MS);
    void Promise.all(exits).then(() => {
      clearTimeout(force);
      process.exit(code);
    });
  };
  process.once('SIGINT', () => stop('SIGINT', 130));
  process.once('SIGTERM', () => stop('SIGTERM', 143));
}

/** A started `serve` process and what it printed so far on the streams that are piped. */
export interface Served {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `sync-orchestrator serve` with exactly `env` as its environment and `stdio` as its streams
 * (a test may hand it a pipe that nobody reads); the output of the piped ones is collected. The caller
 * kills the process (`child.kill('SIGKILL')`) when done.
 */
export function spawnService(env: NodeJS.ProcessEnv, stdio: StdioOptions = 'pipe'): Served {
  return spawnBin(['serve'], env, stdio);
}

/** Spawns `sync-orchestrator <args>`, tracked for {@link stopChildrenOnSignal}, collecting what its piped streams print. */
function spawnBin(args: string[], env: NodeJS.ProcessEnv, stdio: StdioOptions): Served {
  const child = track(spawn(process.execPath, [BIN, ...args], { env, stdio }));
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/**
 * Starts `serve` as `npm start` runs it — with only `PATH`, the allocator's arena cap
 * (`src/runtime/allocator.ts`) and `env` in its environment —, its output piped.
 */
export function serve(env: Record<string, string>): Served {
  return spawnService({ PATH: process.env.PATH ?? '', MALLOC_ARENA_MAX: SERVICE_MALLOC_ARENA_MAX, ...env });
}

/** A `sync-orchestrator simulator` started on its own: its URL and the settings that point a service at it. */
export interface StartedSimulator {
  served: Served;
  url: string;
  /** `ERP_URL`, `ERP_USERNAME`, `ERP_PASSWORD` and `ERP_ACCOUNTS` as its banner prints them. */
  env: Record<string, string>;
}

/**
 * Starts the ERP simulator as its own process (`sync-orchestrator simulator --port 0 …`), as the real ERP
 * is another machine: a service pointed at it holds none of the simulator's memory. Resolves once it
 * listens, with the settings its banner prints; rejects with its output when it ends first.
 */
export function startSimulatorProcess(args: string[]): Promise<StartedSimulator> {
  const served = spawnBin(['simulator', '--port', '0', ...args], { PATH: process.env.PATH ?? '' }, 'pipe');
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const url = /listening on (http:\/\/\S+)/.exec(served.output())?.[1];
      const use = /use it: +(.+)\n/.exec(served.output())?.[1];
      if (url === undefined || use === undefined) return;
      served.child.stdout?.off('data', check);
      const env = Object.fromEntries(use.trim().split(/\s+/).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
      resolve({ served, url, env });
    };
    served.child.stdout?.on('data', check);
    void served.exited.then(() => reject(new Error(`the simulator exited before listening:\n${served.output()}`)));
  });
}

/** Resolves with the API URL of the ready block, or rejects with what the process printed. */
export function ready(served: Served): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = /^ {2}API +(http:\/\/\S+)\/api /m.exec(served.output());
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    check();
    served.child.stdout?.on('data', check);
    void served.exited.then(() => reject(new Error(`exited before ready:\n${served.output()}`)));
  });
}

/** One message of the live stream (`GET /api/sync/stream`). */
export interface StreamEvent {
  seq: number;
  type: string;
  target?: string;
  phase?: string;
  [field: string]: unknown;
}

/**
 * A connection to the live stream that hands every event to `onEvent`; `close()` ends it. `query` is
 * appended to the stream's path (`?since=…&epoch=…` to resume); `onClose` hears the socket close.
 */
export async function followStream(
  url: string,
  token: string,
  onEvent: (event: StreamEvent) => void,
  query = '',
  onClose: () => void = () => undefined,
): Promise<{ close: () => void }> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/sync/stream${query}`, { headers: { authorization: `Bearer ${token}` } });
  socket.on('message', (data) => onEvent(JSON.parse(String(data)) as StreamEvent));
  socket.on('close', onClose);
  // A killed service closes the socket under us: that is the point, not an error.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { close: () => socket.terminate() };
}
