/**
 * Keeps the built-in simulator's data in a file (`DATA_DIR/simulator-data.json` in the demo), so that a
 * restarted demo finds the ERP as it left it, as a real ERP would be, instead of a freshly seeded one
 * whose differences the next runs would apply as deletions.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Dataset } from './dataset.js';

/** Version of the file's shape; a file of another version is refused rather than misread. */
const FORMAT = 1;

/** What identifies the data: a file written for another seed, start or size is not this simulator's. */
export interface SimulatorDataIdentity {
  seed: string | number;
  start: string;
  size: Record<string, number>;
}

/** The simulator's data as kept. */
export interface SavedSimulatorData extends SimulatorDataIdentity {
  format: typeof FORMAT;
  hours: number;
  version: number;
  /** Per account, plus the shared products and prices under the simulator's shared key. */
  datasets: Record<string, Dataset>;
}

/** The kept data cannot be used: the start stops with the file named rather than silently reseed. */
export class SimulatorDataFileError extends Error {
  readonly class = 'store-error' as const;

  constructor(file: string, problem: string) {
    super(`${file}: ${problem} (delete it to start the simulator's data afresh)`);
    this.name = 'SimulatorDataFileError';
  }
}

/**
 * The kept data, or null when there is no file yet.
 * @throws SimulatorDataFileError when the file is unreadable, of another format, or of another seed, start or size.
 */
export function readSimulatorData(file: string, identity: SimulatorDataIdentity): SavedSimulatorData | null {
  if (!existsSync(file)) return null;
  let saved: Partial<SavedSimulatorData>;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<SavedSimulatorData>;
  } catch (error) {
    throw new SimulatorDataFileError(file, `cannot be read: ${(error as Error).message}`);
  }
  if (saved.format !== FORMAT) throw new SimulatorDataFileError(file, `is of format ${JSON.stringify(saved.format)}, this build reads ${FORMAT}`);
  const same = saved.seed === identity.seed && saved.start === identity.start && JSON.stringify(saved.size) === JSON.stringify(identity.size);
  if (!same) throw new SimulatorDataFileError(file, 'was written for another seed, start or dataset size');
  if (typeof saved.hours !== 'number' || typeof saved.version !== 'number' || typeof saved.datasets !== 'object' || saved.datasets === null) {
    throw new SimulatorDataFileError(file, 'lacks its hours, version or datasets');
  }
  return saved as SavedSimulatorData;
}

/** Writes the data atomically (a crash mid-write leaves the previous file). */
export function writeSimulatorData(file: string, data: Omit<SavedSimulatorData, 'format'>): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.part`;
  writeFileSync(partial, JSON.stringify({ format: FORMAT, ...data }));
  renameSync(partial, file);
}
