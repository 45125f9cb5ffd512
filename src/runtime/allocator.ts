/**
 * The C allocator under the service. On Linux with glibc every thread that calls malloc may get an arena
 * of its own (up to 8 per core): the service's threads — the main thread, V8's platform and GC threads,
 * libuv's pool, the parse worker, tsx's loader — end up with ten or more. Memory freed inside an arena
 * mostly stays resident, so each arena keeps the high-water mark of whatever threads used it, and the
 * process's RSS ratchets up arena by arena for hours: in soaks of 1,000–1,500 runs the arenas grew from
 * 65 to 105 MB while every V8 heap stayed flat. Capped at two arenas they held 20–33 MB, flat, and the
 * median RSS fell by ~55 MB (README "Crash safety").
 *
 * glibc reads `MALLOC_ARENA_MAX` once, before any JavaScript runs, so the service cannot set it for
 * itself: `npm start` sets it, the harnesses start the service with it, and the ready block says
 * whether a process runs with it.
 */

/** The arena cap `npm start` and the harnesses give the service (`package.json` repeats the `2`). */
export const SERVICE_MALLOC_ARENA_MAX = '2';

/**
 * The glibc version of this process, or null when it runs on another C library (musl, macOS, Windows),
 * where `MALLOC_ARENA_MAX` means nothing.
 */
export function glibcVersion(): string | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ?? null;
}

/**
 * One line for the ready block on the allocator's arenas, or null where there is nothing to say (not
 * glibc). Unset, it says what that costs and how `npm start` avoids it.
 */
export function allocatorNote(env: NodeJS.ProcessEnv, glibc: string | null): string | null {
  if (glibc === null) return null;
  const cap = env.MALLOC_ARENA_MAX;
  if (cap !== undefined && cap !== '') return `glibc ${glibc}, MALLOC_ARENA_MAX=${cap}`;
  return `glibc ${glibc}, MALLOC_ARENA_MAX not set: an arena per thread lets RSS ratchet up for hours (npm start sets ${SERVICE_MALLOC_ARENA_MAX})`;
}
