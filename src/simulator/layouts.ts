/**
 * The ERP's export layouts (ERP-EXPORTS §2–§7), read from the export definitions: each export's
 * `simulator.layouts` (`src/exports/<name>.simulator.ts`) lists, per layout variant seen in the field, the
 * pages of one cycle, each a list of columns with the exact header text, what the column holds, its
 * width in points and its alignment. The renderer draws any of them with one generic loop;
 * `projectRecords` says what a parser reading that layout must emit (the ground truth).
 */
import { TRACKING_FIELDS, normaliseHeader, recordFields, type ColumnSpec, type FieldValue } from '../parsers/export-tables.js';
import { exportDefinition, exportTable } from '../exports/registry.js';
import type { ExportName } from '../parsers/export-tables.js';
import type { ExportRecord } from '../parsers/types.js';
import { tableColumn } from './layout-columns.js';

export type { Align, ColumnContent, FooterSummary, Layout, LayoutColumn } from './layout-types.js';
import type { FooterSummary, Layout } from './layout-types.js';

/** The table column behind a layout field (the n-th of equal headers is told apart by `occurrence`). */
export function columnSpec(type: ExportName, field: string): ColumnSpec {
  return tableColumn(exportTable(type), field);
}

/** The footer an export's PDF ends with (`simulator.footer` of its definition), none when it names none. */
export function footerOf(type: ExportName): readonly FooterSummary[] {
  return exportDefinition(type).simulator?.footer ?? [];
}

/** The layout variants of an export by name, in definition order (none for an export without simulator data). */
export function layoutVariants(type: ExportName): Readonly<Record<string, Layout>> {
  const layouts = exportDefinition(type).simulator?.layouts ?? [];
  return Object.fromEntries(layouts.map((layout) => [layout.variant, layout]));
}

/** The layout variant an export has today (January 2026: the newest observed): `simulator.defaultVariant`, else its first. */
export function defaultVariant(type: ExportName): string {
  const simulator = exportDefinition(type).simulator;
  const variant = simulator?.defaultVariant ?? simulator?.layouts[0]?.variant;
  if (variant === undefined) throw new Error(`export ${type} has no layouts for the simulator`);
  return variant;
}

/**
 * The layout to render: the named variant, else the variant with `pagesPerCycle` pages (the first in
 * definition order), else the export's default.
 */
export function getLayout(type: ExportName, selection: { variant?: string; pagesPerCycle?: number } = {}): Layout {
  const variants = layoutVariants(type);
  if (selection.variant !== undefined) {
    const layout = variants[selection.variant];
    if (!layout) throw new Error(`${type} has no layout variant ${selection.variant} (known: ${Object.keys(variants).join(', ')})`);
    return layout;
  }
  if (selection.pagesPerCycle !== undefined) {
    const layout = Object.values(variants).find((l) => l.pages.length === selection.pagesPerCycle);
    if (!layout) throw new Error(`${type} has no layout with ${selection.pagesPerCycle} pages per cycle`);
    return layout;
  }
  return variants[defaultVariant(type)] as Layout;
}

/** The record fields a layout shows (a tracking column shows the three tracking fields). */
export function visibleFields(layout: Layout): Set<string> {
  const fields = new Set<string>();
  for (const column of layout.pages.flat()) {
    if (column.content.kind !== 'field') continue;
    if (column.content.field === 'tracking') TRACKING_FIELDS.forEach((f) => fields.add(f));
    else fields.add(column.content.field);
  }
  return fields;
}

/** Normalised headers of a layout's unknown columns (the keys of `extra`). */
export function extraHeaders(layout: Layout): string[] {
  return layout.pages.flat().filter((c) => c.content.kind === 'extra').map((c) => normaliseHeader(c.header));
}

/**
 * What a parser reading `layout` must emit for `records` — the ground truth of a fixture: the record
 * fields in table order, `null` for fields the layout does not show (or their derived value), and
 * `extra` only when the layout has unknown columns (`''` where a record has no value for one).
 */
export function projectRecords(layout: Layout, records: readonly ExportRecord[]): ExportRecord[] {
  const visible = visibleFields(layout);
  const fields = recordFields(exportTable(layout.type));
  const derived = exportDefinition(layout.type).simulator?.derivedWhenHidden ?? {};
  const extras = extraHeaders(layout);
  return records.map((record) => {
    const out: ExportRecord = {};
    for (const field of fields) {
      const value = record[field];
      const derive = derived[field];
      out[field] = visible.has(field) ? (value as FieldValue) ?? null : derive ? derive(record) : null;
    }
    if (extras.length > 0) out.extra = Object.fromEntries(extras.map((key) => [key, record.extra?.[key] ?? '']));
    return out;
  });
}
