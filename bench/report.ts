import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** One line of the benchmark table: a measured value and the goal it is held to. */
export interface BenchRow {
  name: string;
  value: number;
  /** The goal as text (`≤ 1.15`, `≥ 0.5`, `report` for figures without a goal). */
  target: string;
  pass: boolean;
}

/** A section of the benchmark, as printed and as written to `bench/results.json`. */
export interface BenchSection {
  section: string;
  rows: BenchRow[];
}

/** Formats the sections as a fixed-width table with a verdict per row and overall. */
export function formatReport(sections: BenchSection[]): string {
  const lines: string[] = [];
  const width = Math.max(...sections.flatMap((s) => s.rows.map((r) => r.name.length)), 20);
  for (const s of sections) {
    lines.push('', `## ${s.section}`);
    for (const r of s.rows) {
      const value = Number.isInteger(r.value) ? String(r.value) : r.value.toFixed(3);
      lines.push(`${r.name.padEnd(width)}  ${value.padStart(10)}  ${r.target.padEnd(12)}  ${r.target === 'report' ? '' : r.pass ? 'PASS' : 'FAIL'}`);
    }
  }
  const failed = sections.flatMap((s) => s.rows).filter((r) => !r.pass);
  lines.push('', failed.length === 0 ? 'all goals met' : `${failed.length} goal(s) missed: ${failed.map((r) => r.name).join('; ')}`);
  return lines.join('\n');
}

/**
 * Writes the machine-readable results next to the benchmarks. Sections of an earlier run that this run
 * did not measure (`npm run bench -- data-path`) are kept, each with the time it was measured.
 */
export function writeResults(file: string, sections: BenchSection[]): void {
  const at = new Date().toISOString();
  let earlier: (BenchSection & { at?: string })[] = [];
  if (existsSync(file)) {
    try {
      const previous = JSON.parse(readFileSync(file, 'utf8')) as { at?: string; sections?: (BenchSection & { at?: string })[] };
      earlier = (previous.sections ?? []).map((s) => ({ ...s, at: s.at ?? previous.at ?? 'unknown' }));
    } catch {
      earlier = [];
    }
  }
  const measured = sections.map((s) => ({ ...s, at }));
  const kept = earlier.filter((e) => !sections.some((s) => s.section === e.section));
  writeFileSync(file, JSON.stringify({ at, node: process.version, sections: [...kept, ...measured] }, null, 2) + '\n');
}
