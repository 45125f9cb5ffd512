import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from './config.js';

/** Where a generated token is kept, inside `DATA_DIR`. */
export const API_TOKEN_FILE = 'api-token';

/** Owner read/write only: the token opens every route of the API. */
const TOKEN_FILE_MODE = 0o600;

/** The kept token file cannot be read or written; the start stops rather than hand out a token no one kept. */
export class ApiTokenFileError extends Error {
  readonly class = 'store-error' as const;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem} (fix or delete the file: a new token is generated and kept then, or set API_TOKEN)`);
    this.name = 'ApiTokenFileError';
  }
}

/**
 * The configuration with a generated token that survives restarts: without `API_TOKEN`, the token of the
 * first start is written to `DATA_DIR/api-token` (mode 0600) and read back by every later start, so that a
 * dashboard, a script or a client app signed in once keeps working after a restart. `API_TOKEN` always
 * wins, and the file is then left untouched.
 *
 * @returns the token to serve with, and the file that keeps it (null when it came from `API_TOKEN`).
 * @throws ApiTokenFileError when the file exists but holds no usable token, or cannot be read or written.
 */
export function keepGeneratedToken(config: Pick<Config, 'apiToken' | 'apiTokenGenerated' | 'dataDir'>): { apiToken: string; file: string | null } {
  if (!config.apiTokenGenerated) return { apiToken: config.apiToken, file: null };
  const file = join(config.dataDir, API_TOKEN_FILE);
  const kept = readKept(file);
  if (kept !== null) return { apiToken: kept, file };
  try {
    mkdirSync(config.dataDir, { recursive: true });
    // `wx`: two processes starting on one DATA_DIR at once must not overwrite each other's token.
    writeFileSync(file, `${config.apiToken}\n`, { mode: TOKEN_FILE_MODE, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return keepGeneratedToken(config);
    throw new ApiTokenFileError(file, `cannot write the generated token: ${(error as Error).message}`);
  }
  return { apiToken: config.apiToken, file };
}

function readKept(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ApiTokenFileError(file, `cannot read the kept token: ${(error as Error).message}`);
  }
  const token = text.trim();
  if (!/^[\x21-\x7e]{16,}$/.test(token)) throw new ApiTokenFileError(file, 'does not hold a token of at least 16 printable characters');
  // A copy restored from a backup may have lost its mode; the token must not stay readable by others.
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, TOKEN_FILE_MODE);
  return token;
}
