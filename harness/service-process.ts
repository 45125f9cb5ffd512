import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';

/**
 * `sync-orchestrator serve` as an operator runs it — a real process, real signals, real sockets — for
 * the process tests and the chaos and soak harnesses.
 */

const BIN = fileURLToPath(new URL('../bin/sync-orchestrator.js', import.meta.url));

/** A started `serve` process and what it printed so far. */
export interface Served {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `sync-orchestrator serve` with only `PATH` and `env` in its environment. The caller kills it
 * (`child.kill('SIGKILL')`) when done.
 */
export function serve(env: Record<string, string>): Served {
  const child = spawn(process.execPath, [BIN, 'serve'], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: 'pipe' });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => output, exited };
}

/** Resolves with the API URL of the ready block, or rejects with what the process printed. */
export function ready(served: Served): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const match = /^ {2}API +(http:\/\/\S+)\/api /m.exec(served.output());
      if (match?.[1] !== undefined) resolve(match[1]);
    };
    check();
    served.child.stdout.on('data', check);
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

/** A connection to the live stream that hands every event to `onEvent`; `close()` ends it. */
export async function followStream(url: string, token: string, onEvent: (event: StreamEvent) => void): Promise<{ close: () => void }> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/api/sync/stream`, { headers: { authorization: `Bearer ${token}` } });
  socket.on('message', (data) => onEvent(JSON.parse(String(data)) as StreamEvent));
  // A killed service closes the socket under us: that is the point, not an error.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { close: () => socket.terminate() };
}
