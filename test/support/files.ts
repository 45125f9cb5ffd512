/** File checks of the download tests. */
import { readdirSync } from 'node:fs';

/** The names in a folder; none when it does not exist (a failed run may never have created it). */
export function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
