import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EXPORT_TYPES } from '../src/exports/registry.js';
import { generateDataset, mutateDataset, type Dataset } from '../src/simulator/dataset.js';
import { renderExportToFile } from '../src/simulator/render-export.js';

/** Size of the chaos dataset: enough orders for several 500-row batches, so kills land inside an apply. */
export interface ChaosScale {
  customers: number;
  products: number;
  prices: number;
  orders: number;
}

/**
 * The default: 700 orders (two 500-row batches, so a kill can land between batches), a hundred or so of
 * the rest. A full cycle of the six exports takes seconds, which is what lets CI afford ten kills.
 */
export const CHAOS_SCALE: ChaosScale = { customers: 80, products: 120, prices: 120, orders: 700 };

/**
 * Renders `generations` successive versions of one ERP dataset, each as a folder of the six exports
 * (`<dir>/gen-<n>/<service>.pdf`). Every generation changes, adds and removes records, so every run
 * between two kills writes rows, and a run killed in one generation is finished in the next.
 */
export async function renderGenerations(dir: string, seed: string, generations: number, scale: ChaosScale = CHAOS_SCALE): Promise<string[]> {
  let dataset: Dataset = generateDataset({ seed, ...scale });
  const folders: string[] = [];
  for (let n = 0; n < generations; n++) {
    if (n > 0) dataset = mutateDataset(dataset, { seed: `${seed}/${n}`, changeShare: 0.1, addShare: 0.03, removeShare: 0.02 });
    const folder = join(dir, `gen-${n}`);
    for (const type of EXPORT_TYPES) await renderExportToFile(join(folder, `${type}.pdf`), type, dataset[type]);
    folders.push(folder);
  }
  return folders;
}

/**
 * Makes `live` serve the exports of `generation` (the directory source reads `<live>/<service>.pdf`).
 * Each file is copied under a name the source ignores and renamed into place, so a run that starts
 * meanwhile reads the old export or the new one, never half of one.
 */
export async function publish(generation: string, live: string): Promise<void> {
  await mkdir(live, { recursive: true });
  for (const name of await readdir(generation)) {
    await copyFile(join(generation, name), join(live, `.${name}.part`));
    await rename(join(live, `.${name}.part`), join(live, name));
  }
}

/** The `*.db` files of a data dir. */
async function databases(dataDir: string): Promise<string[]> {
  return (await readdir(dataDir)).filter((name) => name.endsWith('.db')).sort();
}

/**
 * SQLite's own checks of every database of a stopped service: `integrity_check` and `foreign_key_check`.
 * Returns one line per problem (empty when all is well).
 */
export async function integrityProblems(dataDir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const name of await databases(dataDir)) {
    const db = new Database(join(dataDir, name));
    try {
      const integrity = db.pragma('integrity_check', { simple: true });
      if (integrity !== 'ok') problems.push(`${name}: integrity_check says ${String(integrity)}`);
      const dangling = db.pragma('foreign_key_check') as unknown[];
      if (dangling.length > 0) problems.push(`${name}: ${dangling.length} rows fail foreign_key_check`);
    } catch (error) {
      problems.push(`${name}: ${(error as Error).message}`);
    } finally {
      db.close();
    }
  }
  return problems;
}

/** Columns that record when a row was written, not what it holds: they differ between two histories. */
const WRITE_TIMES = new Set(['created_at', 'updated_at', 'deleted_at']);

/**
 * The active rows of every data table, without their write times, in a stable order: what an app
 * reading the databases sees. Two data dirs fed the same last exports must hold the same.
 */
export async function activeTables(dataDir: string): Promise<Record<string, string[]>> {
  const tables: Record<string, string[]> = {};
  for (const name of await databases(dataDir)) {
    if (name === 'orchestrator.db') continue;
    const db = new Database(join(dataDir, name), { readonly: true });
    try {
      const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'schema_version'").pluck().all() as string[];
      for (const table of names) {
        const columns = (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name);
        if (!columns.includes('deleted_at')) continue;
        const kept = columns.filter((c) => !WRITE_TIMES.has(c));
        const rows = db.prepare(`SELECT ${kept.map((c) => `"${c}"`).join(', ')} FROM "${table}" WHERE deleted_at IS NULL`).raw().all();
        tables[`${name}/${table}`] = rows.map((row) => JSON.stringify(row)).sort();
      }
    } finally {
      db.close();
    }
  }
  return tables;
}

/** One line per table whose active rows differ between `actual` and `expected` (empty when equal). */
export function tableDifferences(actual: Record<string, string[]>, expected: Record<string, string[]>): string[] {
  const differences: string[] = [];
  for (const table of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const a = actual[table] ?? [];
    const e = new Set(expected[table] ?? []);
    const extra = a.filter((row) => !e.has(row)).length;
    const present = new Set(a);
    const missing = [...e].filter((row) => !present.has(row)).length;
    if (extra > 0 || missing > 0 || a.length !== e.size) {
      differences.push(`${table}: ${a.length} active rows vs ${e.size} in the reference (${extra} not in it, ${missing} missing)`);
    }
  }
  return differences;
}
