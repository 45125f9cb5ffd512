import type { ExportName } from '../parsers/export-tables.js';

/**
 * The port through which a run obtains an export file: a browser driving the ERP, or a folder that an
 * operator fills by hand. Adapters are named for their technology (`directory-source.ts`,
 * `browser-source.ts`).
 */
export interface ExportSource {
  /** Short name for logs and status (`directory`, `browser`). */
  readonly kind: string;
  /**
   * Produces a complete export PDF for one target under `downloadsDir` and resolves with its path.
   * The file is whole (`%PDF-` … `%%EOF`) or absent: never a partial file. Honours `signal`.
   * Rejects with a `SourceError` whose class decides retry and breaker behaviour.
   */
  download(request: DownloadRequest): Promise<DownloadedExport>;
  /** Releases what the source holds (browser processes, sessions). */
  close(): Promise<void>;
}

/** One download. */
export interface DownloadRequest {
  service: ExportName;
  account: string;
  downloadsDir: string;
  signal?: AbortSignal;
}

/** A downloaded export. */
export interface DownloadedExport {
  file: string;
  bytes: number;
  /** Where it came from (a path, a URL), for the run ledger. */
  origin: string;
}

/**
 * Failure classes a source may report (DESIGN §4.2). `login-budget-exhausted`: the account's daily login
 * budget is used up, so the source did not even try the ERP; it holds that account only, never the breaker.
 */
export type SourceErrorClass = 'erp-unreachable' | 'session-expired' | 'export-invalid' | 'login-budget-exhausted';

/** A classified download failure. */
export class SourceError extends Error {
  readonly class: SourceErrorClass;

  constructor(errorClass: SourceErrorClass, message: string) {
    super(message);
    this.name = 'SourceError';
    this.class = errorClass;
  }
}
