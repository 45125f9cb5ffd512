import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatorDataFileError } from '../../src/simulator/simulator-data-file.js';
import { DEFAULT_MUTATION_RATES, SimulatorData, type SimulatorDataOptions } from '../../src/simulator/simulator-dataset.js';
import { tempDir } from '../support/export-records.js';

const dirs: Array<{ remove: () => void }> = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

/** A data file in a folder that does not exist yet. */
function dataFile(): string {
  const dir = tempDir('simulator-data-');
  dirs.push(dir);
  return join(dir.path, 'data', 'simulator-data.json');
}

const OPTIONS: SimulatorDataOptions = {
  seed: 'kept',
  accounts: ['agent1', 'agent2'],
  size: { customers: 20, orders: 40, products: 30, prices: 30 },
  // Enough change per hour that every export gains, changes and loses rows.
  rates: { ...DEFAULT_MUTATION_RATES, addShare: 0.1, changeShare: 0.1, removeShare: 0.05 },
};

const everything = (data: SimulatorData) => (['customers', 'orders', 'ddt', 'invoices'] as const).flatMap((service) => data.accounts.map((account) => data.records(service, account))).concat([data.records('products', 'agent1'), data.records('prices', 'agent1')]);

describe('the simulator data kept in a file', () => {
  it('is read back by the next simulator as it was left, and evolves from there as if never stopped', () => {
    const file = dataFile();
    const before = new SimulatorData({ ...OPTIONS, file });
    before.advance(1);
    before.advance(1);

    const after = new SimulatorData({ ...OPTIONS, file });
    expect(after.version).toBe(before.version);
    expect(after.hoursAdvanced).toBe(2);
    expect(everything(after)).toEqual(everything(before));
    expect(everything(after)).not.toEqual(everything(new SimulatorData(OPTIONS)));

    const neverStopped = new SimulatorData(OPTIONS);
    for (let hour = 0; hour < 3; hour++) neverStopped.advance(1);
    after.advance(1);
    expect(everything(after)).toEqual(everything(neverStopped));
  });

  it('refuses a file written for another seed, or one it cannot read, naming it', () => {
    const file = dataFile();
    new SimulatorData({ ...OPTIONS, file }).advance(1);
    expect(() => new SimulatorData({ ...OPTIONS, seed: 'other', file })).toThrow(SimulatorDataFileError);
    writeFileSync(file, '{"format":1,');
    expect(() => new SimulatorData({ ...OPTIONS, file })).toThrow(`${file}: cannot be read`);
  });
});
