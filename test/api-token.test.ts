import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_TOKEN_FILE, ApiTokenFileError, keepGeneratedToken } from '../src/api-token.js';
import { loadConfig } from '../src/config.js';
import { tempDir } from './support/export-records.js';

const removals: Array<() => void> = [];
afterEach(() => {
  for (const remove of removals.splice(0)) remove();
});

/** A DATA_DIR that does not exist yet, in a temp folder removed after the test. */
function dataDir(): string {
  const dir = tempDir('api-token-');
  removals.push(dir.remove);
  return join(dir.path, 'data');
}

describe('the generated API token', () => {
  it('is kept in DATA_DIR (mode 0600) by the first start and served again by every later one', () => {
    const DATA_DIR = dataDir();
    const first = keepGeneratedToken(loadConfig({ DATA_DIR }));
    const file = join(DATA_DIR, API_TOKEN_FILE);
    expect(first.file).toBe(file);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.apiToken);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = keepGeneratedToken(loadConfig({ DATA_DIR }));
    expect(second).toEqual(first);
  });

  it('gives way to API_TOKEN, leaving the kept file alone', () => {
    const DATA_DIR = dataDir();
    const kept = keepGeneratedToken(loadConfig({ DATA_DIR }));
    expect(keepGeneratedToken(loadConfig({ DATA_DIR, API_TOKEN: 'chosen-by-the-operator-0123' }))).toEqual({ apiToken: 'chosen-by-the-operator-0123', file: null });
    expect(readFileSync(kept.file!, 'utf8').trim()).toBe(kept.apiToken);
    expect(existsSync(join(dataDir(), API_TOKEN_FILE))).toBe(false);
  });

  it('takes the permissions of a kept file back to 0600', () => {
    const DATA_DIR = dataDir();
    const kept = keepGeneratedToken(loadConfig({ DATA_DIR }));
    chmodSync(kept.file!, 0o644);
    expect(keepGeneratedToken(loadConfig({ DATA_DIR })).apiToken).toBe(kept.apiToken);
    expect(statSync(kept.file!).mode & 0o777).toBe(0o600);
  });

  it('stops the start with the file named when it holds no usable token, and changes nothing', () => {
    const DATA_DIR = dataDir();
    const file = keepGeneratedToken(loadConfig({ DATA_DIR })).file!;
    writeFileSync(file, 'short\n');
    expect(() => keepGeneratedToken(loadConfig({ DATA_DIR }))).toThrow(ApiTokenFileError);
    expect(() => keepGeneratedToken(loadConfig({ DATA_DIR }))).toThrow(`${file}: does not hold a token of at least 16 printable characters`);
    expect(readFileSync(file, 'utf8')).toBe('short\n');
  });
});
