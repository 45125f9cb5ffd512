import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exitWithin, get, ready, spawnServe, type ServeProcess } from '../support/serve-process.js';

/**
 * Issue 13.9: a `serve` whose output nobody reads any more must still answer, and must exit after
 * SIGTERM. The service's stdout is a FIFO whose read end this test holds open without reading (the
 * reader of a pipe that stopped reading: its buffer fills, writes fail with EAGAIN), or closes (EPIPE).
 */

/** The grace of a shutdown (30 s) plus the watchdog's margin and some slack for a loaded machine. */
const EXIT_LIMIT_MS = 40_000;

const started: ServeProcess[] = [];
const fds: number[] = [];
afterEach(() => {
  for (const serve of started.splice(0)) serve.child.kill('SIGKILL');
  for (const fd of fds.splice(0)) closeSync(fd);
});

/** A FIFO: its write end for the child's stdout, its read end held here (and never read). */
function unreadPipe(): { reader: number; writer: number } {
  const path = join(mkdtempSync(join(tmpdir(), 'fifo-')), 'stdout');
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY);
  return { reader, writer };
}

/** Requests that each write a log line, until far more than a pipe buffer (64 KiB) was logged or one hangs. */
async function flood(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) if ((await get(url, `/api/sync/status?i=${i}`, 2_000)) === null) return;
}

describe('serve with an output nobody reads', () => {
  it.each([
    ['a reader that stopped reading (pipe full)', false],
    ['a reader that is gone (pipe closed)', true],
  ])('keeps answering, and exits after SIGTERM, with %s', async (_name, closeReader) => {
    const { reader, writer } = unreadPipe();
    const serve = await spawnServe(['ignore', writer, 'pipe'], { LOG_LEVEL: 'debug' });
    started.push(serve);
    closeSync(writer);
    if (closeReader) closeSync(reader);
    else fds.push(reader);
    await ready(serve);

    await flood(serve.url);
    expect(await get(serve.url, '/api/health')).toBe(200);

    serve.child.kill('SIGTERM');
    expect(await exitWithin(serve, EXIT_LIMIT_MS)).not.toBeNull();
  }, 120_000);
});
