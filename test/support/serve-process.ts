import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** `sync-orchestrator serve` as an operator runs it: a real process, real signals, real sockets. */

const BIN = fileURLToPath(new URL('../../bin/sync-orchestrator.js', import.meta.url));

/** A started `serve` process and what it printed so far. */
export interface Served {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `sync-orchestrator serve` with only `PATH` and `env` in its environment. The caller must kill it
 * (`child.kill('SIGKILL')`) in its cleanup.
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
