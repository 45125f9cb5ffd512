/** Layout drift in words, for `why` and the CLI (the shape is `LayoutDrift` in `types.ts`). */
import type { LayoutDrift } from './types.js';

/** One line: `no column for customerReference (stored values kept); unknown columns: RIF. CLIENTE`. */
export function describeLayoutDrift(drift: LayoutDrift): string {
  const parts: string[] = [];
  if (drift.missingFields.length > 0) parts.push(`no column for ${drift.missingFields.join(', ')} (stored values kept)`);
  if (drift.unknownColumns.length > 0) parts.push(`unknown columns: ${drift.unknownColumns.join(', ')}`);
  return parts.join('; ');
}
