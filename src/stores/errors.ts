/**
 * A store could not be opened, migrated, read or written. Failure class `store-error`: the run fails and
 * is retried with back-off; the batches committed before the failure stay committed (upserts are
 * idempotent, so a retry from the last checkpoint writes nothing twice).
 */
export class StoreError extends Error {
  readonly class = 'store-error' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** Wraps any error raised by the storage layer in a `StoreError` that says what was being done. */
export function toStoreError(error: unknown, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${doing}: ${message}`, { cause: error });
}
