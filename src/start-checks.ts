import { constants, accessSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { exportNames } from './exports/registry.js';
import type { Config } from './config.js';
import { pdfFileProblem } from './parsers/pdf-envelope.js';
import { ORCHESTRATOR_DB_FILE } from './stores/orchestrator-db.js';

/**
 * Checks of the places the service will depend on, run before anything is started (no browser, no
 * simulator, no database opened for writing): a problem found later would surface as failed runs, a
 * tripped breaker or a process that hangs with no output. Each problem is one line for the operator.
 */

/** The lines describing what stops the start; empty when it may go on. */
export async function startProblems(config: Config): Promise<string[]> {
  const dataDir = dataDirProblem(config.dataDir);
  if (dataDir !== null) return [dataDir];
  return [
    ...(config.exportDir === null ? [] : [await exportDirProblem(config.exportDir)]),
    orchestratorDbProblem(config.dataDir),
  ].filter((problem): problem is string => problem !== null);
}

/** `DATA_DIR` must be a folder this process can create files in. */
export function dataDirProblem(dir: string): string | null {
  try {
    createFolder(dir);
    if (!statSync(dir).isDirectory()) return `DATA_DIR=${dir}: not a folder`;
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
    return null;
  } catch (error) {
    return `DATA_DIR=${dir}: cannot use it as the data folder (${(error as Error).message})`;
  }
}

/**
 * `mkdir -p`, one level at a time. Node's `mkdirSync(dir, { recursive: true })` never returns for a
 * path such as `/proc/nope` (it retries the ENOENT the kernel gives for a missing entry in /proc, where
 * the parent exists): the start hung there with no output.
 */
function createFolder(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) createFolder(parent);
  mkdirSync(dir);
}

/**
 * `ERP_EXPORT_DIR` must be a folder holding at least one whole export, `<dir>/<service>*.pdf` or
 * `<dir>/<account>/<service>*.pdf` — the places `DirectorySource` reads from.
 */
export async function exportDirProblem(dir: string): Promise<string | null> {
  const expected = `expected ${join(dir, '<service>.pdf')} or ${join(dir, '<account>', '<service>.pdf')} for one of ${exportNames().join(', ')}`;
  try {
    if (!statSync(dir).isDirectory()) return `ERP_EXPORT_DIR=${dir}: not a folder`;
  } catch (error) {
    return `ERP_EXPORT_DIR=${dir}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ${expected}`;
  }
  for (const file of exportCandidates(dir)) {
    if ((await pdfFileProblem(file).catch((error: Error) => error.message)) === null) return null;
  }
  return `ERP_EXPORT_DIR=${dir}: holds no readable export; ${expected}`;
}

/** Files named like an export in the folder and in its subfolders (one level: the accounts). */
function exportCandidates(dir: string): string[] {
  const named = (name: string) => name.endsWith('.pdf') && exportNames().some((s) => name === `${s}.pdf` || name.startsWith(`${s}-`));
  const files: string[] = [];
  for (const entry of safeEntries(dir)) {
    if (entry.isFile() && named(entry.name)) files.push(join(dir, entry.name));
    if (entry.isDirectory()) files.push(...safeEntries(join(dir, entry.name)).filter((e) => e.isFile() && named(e.name)).map((e) => join(dir, entry.name, e.name)));
  }
  return files;
}

function safeEntries(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * The command that sets a damaged `orchestrator.db` aside (with its WAL and shared-memory files, which
 * belong to it). The next start boots the orchestrator fresh: schedules return to their defaults and
 * the run ledger starts empty, while the record databases keep every row.
 */
export function orchestratorDbRecovery(dataDir: string): string {
  return `mkdir -p ${join(dataDir, 'damaged')} && mv ${join(dataDir, ORCHESTRATOR_DB_FILE)}* ${join(dataDir, 'damaged')}/`;
}

/**
 * A truncated or corrupted `orchestrator.db` is refused before the runtime opens it (it would fail
 * later, or restore from garbage). Only this file is read; the record databases are not opened.
 */
export function orchestratorDbProblem(dataDir: string): string | null {
  const file = join(dataDir, ORCHESTRATOR_DB_FILE);
  if (!existsSync(file)) return null;
  let problem: string | null;
  try {
    const db = new Database(file, { fileMustExist: true });
    try {
      const result = db.pragma('quick_check', { simple: true });
      problem = result === 'ok' ? null : String(result);
    } finally {
      db.close();
    }
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem === null) return null;
  return `${file} is damaged (${problem.split('\n')[0]}); the record databases are not affected — set it aside and start again to boot the orchestrator fresh: ${orchestratorDbRecovery(dataDir)}`;
}
