import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * The service's log output: pino lines, JSON or pretty, written to stdout without ever blocking the
 * event loop.
 *
 * Why not pino's default destination: it writes synchronously, and when stdout is a pipe or socket
 * whose reader stopped reading, the kernel buffer fills, the write fails with EAGAIN and pino retries
 * it in `Atomics.wait` forever — the event loop stops, signals are never handled and the service can
 * no longer be stopped (issue 13.9). Here every line goes through `process.stdout`, which for pipes
 * and sockets queues in libuv and waits for the descriptor to become writable through epoll: the
 * loop keeps running whatever the reader does. The queue is bounded (lines are dropped and counted
 * beyond `maxBacklogBytes`), and a closed reader (EPIPE) silences the output instead of crashing.
 * A terminal or a file is written synchronously by Node; neither stays full.
 */

/** `json`: one JSON object per line (for collectors); `pretty`: one readable line per entry (for a terminal). */
export type LogFormat = 'json' | 'pretty';

/** Where log text goes: `process.stdout` in the service, a test's stream in tests. */
export interface LogStream {
  write(text: string): boolean;
  readonly writableLength: number;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

/** Options of `createLogOutput`. */
export interface LogOutputOptions {
  level: string;
  format: LogFormat;
  /** Paths pino replaces with `[Redacted]`. */
  redact?: string[];
  stream?: LogStream;
  /** Bytes queued for a slow reader beyond which lines are dropped (default 1 MiB). */
  maxBacklogBytes?: number;
}

/** The logger and the output it writes to. */
export interface LogOutput {
  logger: Logger;
  /** Writes operator text (the ready block) in order with the log lines, under the same bound. */
  write(text: string): void;
  /** Resolves once the queued text is written, or after `timeoutMs` (a reader that never reads). */
  flush(timeoutMs: number): Promise<void>;
  /** Lines dropped so far because the reader was too slow or gone. */
  readonly dropped: number;
}

const DEFAULT_MAX_BACKLOG = 1024 * 1024;

/** `LOG_FORMAT` unset: pretty on a terminal, JSON for anything that collects the output. */
export function defaultLogFormat(stream: { isTTY?: boolean } = process.stdout): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

/** A pino logger writing `format` lines to `stream` (stdout by default) without blocking. */
export function createLogOutput(options: LogOutputOptions): LogOutput {
  const render = options.format === 'pretty' ? prettyLine(options.stream === undefined && process.stdout.isTTY === true) : (line: string) => line;
  const notice = (count: number) => render(`${JSON.stringify({ level: 40, time: Date.now(), msg: `${count} log lines dropped: the output was not being read` })}\n`);
  const sink = new BoundedSink(options.stream ?? process.stdout, options.maxBacklogBytes ?? DEFAULT_MAX_BACKLOG, notice);
  const destination = { write: (line: string) => sink.write(render(line)) };
  const logger = pino({ level: options.level, ...(options.redact ? { redact: options.redact } : {}) }, destination);
  return {
    logger,
    write: (text) => sink.write(text),
    flush: (timeoutMs) => sink.flush(timeoutMs),
    get dropped() {
      return sink.dropped;
    },
  };
}

/** pino-pretty's formatter, run in this thread (its transport would run in a worker fed through `Atomics.wait`). */
function prettyLine(colorize: boolean): (line: string) => string {
  const format = prettyFactory({ colorize, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return (line) => format(line);
}

/** A stream that is never waited for: a full queue drops lines, a broken one drops everything. */
class BoundedSink {
  dropped = 0;
  private broken = false;
  private droppedSinceWrite = 0;

  constructor(
    private readonly stream: LogStream,
    private readonly maxBacklog: number,
    /** The line that says how many lines were dropped, written once the reader caught up. */
    private readonly droppedNotice: (count: number) => string,
  ) {
    // EPIPE and the like: the reader is gone for good. Without a listener it would be an uncaught error.
    stream.on('error', () => {
      this.broken = true;
    });
  }

  write(text: string): void {
    if (this.broken) return;
    if (this.stream.writableLength > this.maxBacklog) {
      this.dropped++;
      this.droppedSinceWrite++;
      return;
    }
    if (this.droppedSinceWrite > 0) {
      this.stream.write(this.droppedNotice(this.droppedSinceWrite));
      this.droppedSinceWrite = 0;
    }
    this.stream.write(text);
  }

  flush(timeoutMs: number): Promise<void> {
    if (this.broken || this.stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      this.stream.once('drain', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
