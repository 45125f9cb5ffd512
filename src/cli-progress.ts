/**
 * The progress line of `parse` and `import` on a terminal: a bar per phase with what is done (pages
 * read, rows applied), the rate and an ETA, redrawn in place on stderr (stdout stays the command's
 * output, a jsonl stream say). Off when stderr is not a terminal: a log or a pipe gets no bar.
 */

/** A progress report, in the shape both the parser and `applyExport` give. */
export type ProgressReport =
  | { phase: 'parsing'; pagesDone: number; pagesTotal: number }
  | { phase: 'applying'; recordsDone: number; recordsTotal: number }
  | { phase: 'finalizing' };

/** Where the bar is drawn. */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

/** Draws the bar; `finish` ends the line with each phase's duration. */
export interface Progress {
  report(progress: ProgressReport): void;
  finish(): void;
}

/** Redraws at most this often: a 15,000-page export reports every page. */
const REDRAW_MS = 100;
const BAR_WIDTH = 24;

const UNITS = { parsing: 'pages', applying: 'rows' } as const;

/** A progress bar on `stream` when it is a terminal, else one that draws nothing. */
export function progressOn(stream: ProgressStream = process.stderr, now: () => number = () => performance.now()): Progress {
  if (stream.isTTY !== true) return { report: () => {}, finish: () => {} };
  return new TerminalProgress(stream, now);
}

class TerminalProgress implements Progress {
  private phase: ProgressReport['phase'] | null = null;
  /** The first phase counts from the command's start (worker start-up and file opening included). */
  private phaseStart: number;
  private lastDraw = -Infinity;
  private readonly durations: string[] = [];

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number,
  ) {
    this.phaseStart = now();
  }

  report(progress: ProgressReport): void {
    const t = this.now();
    if (progress.phase !== this.phase) {
      if (this.phase !== null) this.endPhase(t);
      this.phase = progress.phase;
      this.phaseStart = t;
      this.lastDraw = -Infinity;
    }
    if (progress.phase === 'finalizing') return this.draw(t, 'finalizing…');
    const [done, total] = progress.phase === 'parsing' ? [progress.pagesDone, progress.pagesTotal] : [progress.recordsDone, progress.recordsTotal];
    // The first and the last report of a phase are always drawn; those between at most every REDRAW_MS.
    if (done < total && t - this.lastDraw < REDRAW_MS) return;
    this.draw(t, barLine(progress.phase, done, total, t - this.phaseStart));
  }

  finish(): void {
    this.endPhase(this.now());
    if (this.durations.length > 0) this.stream.write(`\r\x1b[K${this.durations.join(', ')}\n`);
  }

  private endPhase(t: number): void {
    if (this.phase !== null) this.durations.push(`${this.phase} ${formatDuration(t - this.phaseStart)}`);
  }

  private draw(t: number, line: string): void {
    this.lastDraw = t;
    const width = Math.max(40, (this.stream.columns || 80) - 1);
    this.stream.write(`\r\x1b[K${line.slice(0, width)}`);
  }
}

/** `parsing  [#########---------]  412/945 pages  103/s  ETA 5 s`. */
function barLine(phase: 'parsing' | 'applying', done: number, total: number, elapsedMs: number): string {
  const share = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = done >= total ? 'done' : rate > 0 ? `ETA ${formatDuration(((total - done) / rate) * 1000)}` : 'ETA …';
  const count = `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${UNITS[phase]}`;
  return `${phase.padEnd(9)}[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]  ${count}  ${Math.round(rate).toLocaleString('en-US')}/s  ${eta}`;
}

/** A duration as a person reads it: `840 ms`, `4.2 s`, `3 min 12 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1_000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
