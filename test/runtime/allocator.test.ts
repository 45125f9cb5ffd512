import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SERVICE_MALLOC_ARENA_MAX, allocatorNote } from '../../src/runtime/allocator.js';

/**
 * glibc's arena cap (`src/runtime/allocator.ts`) can only be set before the process starts: `npm start`
 * sets it unless the operator chose one, and the ready block says how the process runs.
 */

const startScript = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: { start: string } }).scripts.start;

/** `MALLOC_ARENA_MAX` as the process `npm start` starts would see it, given the caller's environment. */
function arenaCapUnderNpmStart(env: NodeJS.ProcessEnv): string {
  const command = startScript.replace(/node bin\/sync-orchestrator\.js serve$/, `"${process.execPath}" -p "process.env.MALLOC_ARENA_MAX"`);
  expect(command, 'npm start still ends with the serve command').not.toBe(startScript);
  return execFileSync('sh', ['-c', command], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' }).trim();
}

describe('the allocator’s arena cap', () => {
  it('is set by npm start, unless the operator set one', () => {
    expect(arenaCapUnderNpmStart({})).toBe(SERVICE_MALLOC_ARENA_MAX);
    expect(arenaCapUnderNpmStart({ MALLOC_ARENA_MAX: '' })).toBe(SERVICE_MALLOC_ARENA_MAX);
    expect(arenaCapUnderNpmStart({ MALLOC_ARENA_MAX: '4' })).toBe('4');
  });

  it('is named in the ready block on glibc, with what its absence costs', () => {
    expect(allocatorNote({ MALLOC_ARENA_MAX: '2' }, '2.36')).toBe('glibc 2.36, MALLOC_ARENA_MAX=2');
    for (const unset of [{}, { MALLOC_ARENA_MAX: '' }]) {
      const note = allocatorNote(unset, '2.36')!;
      expect(note).toMatch(/^glibc 2\.36, MALLOC_ARENA_MAX not set: .*RSS ratchet/);
      expect(note).toContain(`npm start sets ${SERVICE_MALLOC_ARENA_MAX}`);
    }
  });

  it('is not mentioned on another C library, where it means nothing', () => {
    expect(allocatorNote({ MALLOC_ARENA_MAX: '2' }, null)).toBeNull();
    expect(allocatorNote({}, null)).toBeNull();
  });
});
