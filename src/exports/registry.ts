/**
 * The registry of exports: the six built-in definitions, in the order an operator reads them, and
 * `registerExport` for one more. Everything per export is looked up here at call time, so a registered
 * export is scheduled, read, stored and listed like the built-in ones.
 */
import type { ServiceCatalog, ServiceSpec } from '../../machines/index.js';
import type { ExportTable } from '../parsers/export-tables.js';
import type { DatabaseSpec } from '../stores/database-spec.js';
import { customersExport } from './customers.export.js';
import { ddtExport } from './ddt.export.js';
import type { ExportDefinition } from './export-definition.js';
import { invoicesExport } from './invoices.export.js';
import { ordersExport } from './orders.export.js';
import { pricesExport } from './prices.export.js';
import { productsExport } from './products.export.js';

export type { ExportDefinition };

/** The built-in exports, in the order an operator reads them. */
export const BUILT_IN_EXPORTS = [customersExport, productsExport, pricesExport, ordersExport, ddtExport, invoicesExport] as const;

/** The name of a built-in export: the simulator's datasets and the fixtures cover exactly these. */
export type ExportType = (typeof BUILT_IN_EXPORTS)[number]['name'];

/** The built-in exports' names, in the order an operator reads them. */
export const EXPORT_TYPES: readonly ExportType[] = BUILT_IN_EXPORTS.map((definition) => definition.name);

const definitions = new Map<string, ExportDefinition>(BUILT_IN_EXPORTS.map((definition) => [definition.name, definition]));
let catalog: ServiceCatalog | null = null;

/**
 * Adds an export. Throws for a name already taken or a chain parent that is not registered. Returns the
 * function that removes it again (tests).
 */
export function registerExport(definition: ExportDefinition): () => void {
  if (definitions.has(definition.name)) throw new Error(`export ${definition.name} is already registered`);
  if (definition.table.type !== definition.name) throw new Error(`export ${definition.name} has the parse table of ${definition.table.type}`);
  const parent = definition.service.chainedAfter;
  if (parent !== null && !definitions.has(parent)) throw new Error(`export ${definition.name} chains after unknown ${parent}`);
  definitions.set(definition.name, definition);
  catalog = null;
  return () => {
    definitions.delete(definition.name);
    catalog = null;
  };
}

/** Names of every registered export (= service names), in registration order. */
export function exportNames(): string[] {
  return [...definitions.keys()];
}

/** True for the name of a registered export. */
export function isExportName(name: string): boolean {
  return definitions.has(name);
}

/** The definition of a registered export; throws for an unknown name. */
export function exportDefinition(name: string): ExportDefinition {
  const definition = definitions.get(name);
  if (definition === undefined) throw new RangeError(`unknown export ${JSON.stringify(name)}; exports: ${exportNames().join(', ')}`);
  return definition;
}

/** Every registered export's service entry: the catalogue the orchestrator is given as input. */
export function serviceCatalog(): ServiceCatalog {
  catalog ??= Object.fromEntries(
    [...definitions.values()].map((definition): [string, ServiceSpec] => [definition.name, { service: definition.name, ...definition.service }]),
  );
  return catalog;
}

/** True for a built-in export's name. */
export function isExportType(name: string): name is ExportType {
  return (EXPORT_TYPES as readonly string[]).includes(name);
}

/** The parse table of a registered export; throws for an unknown name. */
export function exportTable(name: string): ExportTable {
  return exportDefinition(name).table;
}

/** Every registered export's parse table, for detecting an export's type from its headers. */
export function exportTables(): ExportTable[] {
  return [...definitions.values()].map((definition) => definition.table);
}

/** The database that stores an export. */
export function databaseOf(name: string): DatabaseSpec {
  return exportDefinition(name).store.database;
}

/** Every database the registered exports are stored in, each once, in registration order. */
export function databaseSpecs(): DatabaseSpec[] {
  return [...new Set([...definitions.values()].map((definition) => definition.store.database))];
}
