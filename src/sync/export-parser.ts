import type { ExportName } from '../parsers/export-tables.js';
import type { ParsedExport, ParseProgress } from '../parsers/types.js';

/**
 * The parsing port of the apply step: reads an export file into validated records.
 * @throws ExportInvalidError when the file cannot be trusted; an `AbortError` when `signal` aborts.
 */
export type ParseExportFile = (
  file: string,
  options: { type: ExportName; signal?: AbortSignal; onProgress?: (progress: ParseProgress) => void },
) => Promise<ParsedExport>;

/**
 * The real parser (`parseExportFile` of `src/parsers/parse-export.ts`, which runs pdf.js in a worker
 * thread), loaded on first use only so that importing the apply step stays cheap and tests that inject
 * a fake parser never load it.
 */
export async function loadExportParser(): Promise<ParseExportFile> {
  const { parseExportFile } = await import('../parsers/parse-export.js');
  return parseExportFile;
}
