import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/**
 * `sync-orchestrator serve` as an operator runs it — a real process, real signals, real sockets — for
 * the process tests and the chaos and soak harnesses. The one place that spawns it.
 */

const BIN = fileURLToPath(new URL('../bin/sync-orchestrator.js', import.meta.url));

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
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** Starts `serve` with only `PATH` and `env` in its environment, its output piped. */
export function serve(env: Record<string, string>): Served {
  return spawnService({ PATH: process.env.PATH ?? '', ...env });
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
