import type { ParsedExport } from '../parsers/types.js';
import type { ParseExportFile } from './export-parser.js';

/**
 * Remembers the last export parsed, by file. `applyExport` parses the file again when a paused run
 * resumes; a lease that pauses a 50,000-row orders run for two minutes would otherwise cost the whole
 * parse (tens of seconds of pdf.js) again on release. One entry is enough: leases pause one run per
 * account, and the cache is dropped as soon as that run finishes.
 */
export class ParseCache {
  private entry: { file: string; parsed: ParsedExport } | null = null;

  constructor(private readonly parseFile: ParseExportFile) {}

  /** The `ParseExportFile` to give `applyExport`: a cached result, else a real parse that is then kept. */
  readonly parse: ParseExportFile = async (file, options) => {
    const cached = this.entry;
    if (cached !== null && cached.file === file && cached.parsed.type === options.type) return cached.parsed;
    const parsed = await this.parseFile(file, options);
    this.entry = { file, parsed };
    return parsed;
  };

  /** Drops what is kept of `file` (its run completed or failed: nothing will resume from it). */
  forget(file: string): void {
    if (this.entry?.file === file) this.entry = null;
  }
}
