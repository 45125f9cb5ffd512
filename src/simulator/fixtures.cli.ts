/**
 * `npm run fixtures` — writes the committed fixtures under `fixtures/`.
 * `npm run fixtures -- --large [dir]` — writes the benchmark fixtures (default `bench/.cache/fixtures`),
 * keeping those already there.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, generateLargeFixtures, writeFixtures } from './fixtures.js';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { large: { type: 'boolean', default: false } }, allowPositionals: true });
  if (values.large) {
    for (const result of await generateLargeFixtures(positionals[0])) {
      const what = result.generated
        ? `${result.summary?.pages} pages in ${(result.milliseconds / 1000).toFixed(1)} s`
        : 'cached';
      console.log(`${relative(REPO_ROOT, result.file)}: ${what}`);
    }
    return;
  }
  for (const result of await writeFixtures(positionals[0])) {
    const { summary } = result;
    console.log(`${relative(REPO_ROOT, result.file)}: ${result.records} records, ${summary.pages} pages (${summary.cycles} × ${summary.cycleSize})`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
