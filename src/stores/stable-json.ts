/**
 * JSON with object keys sorted at every level, so equal values always print the same text (used for the
 * `extra` column and inside record hashes).
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** The stored form of a record's `extra`: stable JSON, or null when absent or empty. */
export function extraJson(extra: Record<string, string> | undefined): string | null {
  return extra && Object.keys(extra).length > 0 ? stableJson(extra) : null;
}
