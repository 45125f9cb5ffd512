import { describe, expect, it } from 'vitest';
import { runChaos } from '../../harness/chaos.js';

/**
 * The short chaos campaign of CI (issue 13.11): ten SIGKILLs of `serve` in directory mode, aimed at
 * named phases and at random moments, each followed by a restart that must finish the interrupted work.
 * Any integrity failure, lost acknowledged command, unfinished recovery, table that differs from an
 * uninterrupted reference run, or orphan process fails it. `npm run chaos -- --kills 50` is the long one.
 */

const KILLS = 10;
/** Minutes on an idle 2-core machine; a shared, loaded one can take several times that. */
const CAMPAIGN_MS = 20 * 60_000;

describe('chaos: a short kill campaign', () => {
  it(`survives ${KILLS} kills with nothing lost and the reference's tables`, async () => {
    const lines: string[] = [];
    const report = await runChaos({ kills: KILLS, seed: 'ci', mode: 'directory', log: (line) => lines.push(line) });
    expect(report.kills).toHaveLength(KILLS);
    expect(report.violations, lines.join('\n')).toEqual([]);
    expect(report.tableDifferences).toEqual([]);
    expect(report.orphanChromium).toBe(0);
  }, CAMPAIGN_MS);
});
