/**
 * Flags of the harness commands (`npm run chaos`, `npm run soak`): `--help` prints the usage and exits 0;
 * an unknown flag or a bad value is one line on stderr and exit 2, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `process.argv` against `options` (plus `--help`), or exits as described above. */
export function harnessArgs<O extends Options>(usage: string, options: O): ReturnType<typeof parseArgs<{ options: O }>>['values'] {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    fail(`${(error as Error).message.split('\n')[0]}\n${usage}`);
  }
  if ((parsed.values as { help?: boolean }).help === true) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  return parsed.values as ReturnType<typeof parseArgs<{ options: O }>>['values'];
}

/** One clear line on stderr, exit 2. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}
