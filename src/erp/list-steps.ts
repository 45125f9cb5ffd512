/**
 * The list-view steps of an export run, driven by the list's row (its export's `listView`): set the data
 * filter to its "all" value and verify it on the server, refill a grid that shows empty cells, press the
 * export item until the download begins, and put the user's filter back (ERP-UI §3–6).
 */
import type { Logger } from 'pino';
import type { HTTPRequest, HTTPResponse } from 'puppeteer-core';
import type { ExportName } from '../parsers/export-tables.js';
import { withDeadline } from './deadline.js';
import type { DownloadWatch } from './download-watch.js';
import { inStep, hideStrayPopups, openPage, readCombo, setByClientApi, setByListClick, settle, sleep, type StepContext } from './erp-session.js';
import { SourceError } from './export-source.js';
import { EXPORT_ITEM, OBJECTS_NOT_LOADED_TEXT, type ErpListFilter, type ErpListView, type FilterSetting } from './list-views.js';
import { GRID_EMPTY_ROWS, PAGE_READY, findExportItemScript, pressByIdScript, showsTextScript, type ComboReading, type ExportItemReading } from './page-scripts.js';

/** One run on one list view. */
export interface ListRun extends StepContext {
  service: ExportName;
  view: ErpListView;
  listUrl: string;
  /** After an export press, this long with no request and a settled page means the press did nothing. */
  quietMs: number;
  log: Logger;
}

/** What a press of the export item led to. */
export type PressOutcome = 'download' | 'navigated' | 'banner' | 'quiet';

const SETTINGS: readonly FilterSetting[] = ['client-api', 'list-click'];
const SETTERS: Readonly<Record<FilterSetting, typeof setByClientApi>> = { 'client-api': setByClientApi, 'list-click': setByListClick };

/** The stable part of a combo value: `xaf_xaf_a2ListViewPackingSlipsAll` → `ListViewPackingSlipsAll`. */
export function valueCode(value: string): string {
  return value.replace(/^xaf_xaf_a\d+/, '');
}

/** Reads the list's data filter; a list that should have one and has none cannot be exported completely. */
export async function readFilter(run: ListRun, filter: ErpListFilter): Promise<ComboReading> {
  const step = `read the ${run.service} filter`;
  const combo = await readCombo(run, filter.itcnt, step);
  if (!combo) throw new SourceError('export-invalid', `${step}: no filter combo Vertical_mainMenu_Menu_ITCNT${filter.itcnt}_xaf_a{m}_Cb on the page, so the export could not be made complete`);
  return combo;
}

/**
 * Sets the data filter to the value matching `wanted` (the "all" suffix, or the user's own code) and
 * verifies it by reopening the list: only the server's value counts (DDT and invoices ignore
 * `SetValue`, orders may navigate). The list's own way is tried first, then the other one.
 */
export async function applyFilter(run: ListRun, filter: ErpListFilter, wanted: (code: string) => boolean, purpose: string): Promise<ComboReading> {
  const step = `set the ${run.service} filter ${purpose}`;
  let combo = await readFilter(run, filter);
  if (wanted(valueCode(combo.value))) return combo;
  const item = combo.items.find((i) => wanted(valueCode(i.value)));
  if (!item) throw new SourceError('export-invalid', `${step}: the filter offers no such value (values: ${combo.items.map((i) => valueCode(i.value)).join(', ')})`);
  const order = [filter.setting, ...SETTINGS.filter((s) => s !== filter.setting)];
  const failures: string[] = [];
  for (const setting of order) {
    run.log.info({ from: combo.text, to: item.text, setting }, `setting the list filter ${purpose}`);
    try {
      await SETTERS[setting](run, combo, item.value, step);
    } catch (err) {
      // A way that cannot work on this page (the drop-down in the overflow lists nothing): try the other.
      if (!(err instanceof SourceError && err.class === 'export-invalid')) throw err;
      failures.push(`by ${setting}: ${err.message.replace(`${step}: `, '')}`);
      continue;
    }
    await settle(run, `the ${run.service} list after the filter change`);
    await openPage(run, run.listUrl, `the ${run.service} list`);
    combo = await readFilter(run, filter);
    if (wanted(valueCode(combo.value))) return combo;
    failures.push(`by ${setting}: the ERP still has "${combo.text}"`);
    run.log.warn({ reads: combo.text, setting }, 'the filter change did not reach the ERP');
  }
  throw new SourceError('export-invalid', `${step}: could not set "${item.text}" (${failures.join('; ')})`);
}

/**
 * DDT and invoices may show rows with empty cells on first load (and export them so): switching the
 * filter to another value and back fills them (ERP-UI §4).
 */
export async function refillEmptyCells(run: ListRun, filter: ErpListFilter): Promise<boolean> {
  const read = async (): Promise<{ rows: number; empty: number }> =>
    inStep('check the grid for empty cells', () => withDeadline('check the grid for empty cells', run.timeouts.step, run.signal, async () => (await run.page.evaluate(GRID_EMPTY_ROWS)) as { rows: number; empty: number }));
  if ((await read()).empty === 0) return false;
  const all = (code: string): boolean => code.endsWith(filter.allSuffix);
  const combo = await readFilter(run, filter);
  const other = combo.items.find((i) => !all(valueCode(i.value)));
  if (!other) throw new SourceError('export-invalid', `refill the ${run.service} grid: the filter has no other value to switch to`);
  run.log.info({ via: other.text }, 'the grid shows empty cells: switching the filter away and back');
  await applyFilter(run, filter, (code) => code === valueCode(other.value), 'away to refill the grid');
  await applyFilter(run, filter, all, 'back to all');
  const after = await read();
  if (after.empty > 0) throw new SourceError('export-invalid', `refill the ${run.service} grid: ${after.empty} of ${after.rows} rows still show empty cells after switching the filter away and back`);
  return true;
}

/** Finds the export item, opening the "Show hidden items" overflow when it is hidden. Returns its anchor id. */
async function reachExportItem(run: ListRun): Promise<string> {
  const step = 'find the export item';
  return inStep(step, () =>
    withDeadline(step, run.timeouts.step, run.signal, async () => {
      const find = async (): Promise<ExportItemReading | null> =>
        (await run.page.evaluate(findExportItemScript(run.view.exportIndexHint, run.view.overflowIndexHint, EXPORT_ITEM.title, EXPORT_ITEM.texts))) as ExportItemReading | null;
      let item = await find();
      if (!item) throw new SourceError('export-invalid', `no toolbar item titled "${EXPORT_ITEM.title}" or containing ${EXPORT_ITEM.texts.map((t) => `"${t}"`).join(' or ')}`);
      if (item.shown) return item.anchorId;
      if (!item.overflowAnchorId) throw new SourceError('export-invalid', 'the export item is hidden and the toolbar shows no "Show hidden items" item');
      await run.page.evaluate(pressByIdScript(item.overflowAnchorId));
      while (!run.signal?.aborted) {
        item = await find();
        if (item?.shown) return item.anchorId;
        await sleep(50, run.signal);
      }
      return item?.anchorId ?? '';
    }),
  );
}

/**
 * Presses the export item once and waits for what follows: the download, a navigation (the data-store
 * error can reload the page), the inline "Requested objects cannot be loaded" banner, or nothing at all
 * (a settled page with no request for `quietMs`: DDT's first press sometimes does nothing).
 */
async function pressOnce(run: ListRun, watch: DownloadWatch, anchorId: string): Promise<{ outcome: PressOutcome; status: number }> {
  const { page } = run;
  let navigated = false;
  let requested = false;
  let status = 0;
  const main = page.mainFrame();
  const onNavigated = (frame: unknown): void => void (frame === main && (navigated = true));
  const onRequest = (request: HTTPRequest): void => void (request.isNavigationRequest() && request.frame() === main && (requested = true));
  const onResponse = (response: HTTPResponse): void => {
    if (response.request().isNavigationRequest() && response.frame() === main) status = response.status();
  };
  page.on('framenavigated', onNavigated);
  page.on('request', onRequest);
  page.on('response', onResponse);
  try {
    // A banner left by an earlier press (or shown by a reload) is not this press's outcome.
    const bannerBefore = await withDeadline('press the export item', run.timeouts.step, run.signal, () => page.evaluate(showsTextScript(OBJECTS_NOT_LOADED_TEXT)));
    const pressedIt = await withDeadline('press the export item', run.timeouts.step, run.signal, () => page.evaluate(pressByIdScript(anchorId)));
    if (pressedIt !== true) throw new SourceError('export-invalid', `press the export item: ${anchorId} is not shown`);
    const pressed = performance.now();
    const outcome = await withDeadline('start the download', run.timeouts.downloadBegin, run.signal, async (s) => {
      for (;;) {
        if (watch.suggestedFilename !== null) return 'download' as const;
        if (navigated) return 'navigated' as const;
        if (!requested) {
          const banner = await page.evaluate(showsTextScript(OBJECTS_NOT_LOADED_TEXT)).catch(() => false);
          if (banner === true && bannerBefore !== true) return 'banner' as const;
          const quiet = performance.now() - pressed > run.quietMs && (await page.evaluate(PAGE_READY).catch(() => false)) === true;
          if (quiet) return 'quiet' as const;
        }
        if (s.aborted) return 'quiet' as const;
        await sleep(50, s);
      }
    });
    return { outcome, status };
  } finally {
    page.off('framenavigated', onNavigated);
    page.off('request', onRequest);
    page.off('response', onResponse);
  }
}

/**
 * Presses the export item until the download begins, at most `exportClicks` times: after a press that
 * did nothing, after the banner and after a navigation the page is let settle and pressed again
 * (ERP-UI §6). An HTTP 5xx page, or a redirect to the login page, ends the loop at once.
 */
export async function pressExportUntilDownload(run: ListRun, watch: DownloadWatch): Promise<void> {
  const outcomes: PressOutcome[] = [];
  for (let press = 1; press <= run.view.exportClicks; press++) {
    const anchorId = await reachExportItem(run);
    const { outcome, status } = await pressOnce(run, watch, anchorId);
    if (outcome === 'download') return;
    outcomes.push(outcome);
    run.log.warn({ press, outcome }, 'the export press gave no download; letting the page settle and pressing again');
    if (outcome === 'navigated') {
      await settle(run, `the ${run.service} list after the export press navigated`);
      if (status >= 500) throw new SourceError('erp-unreachable', `press the export item: the ERP answered HTTP ${status} (${run.page.url()})`);
    } else {
      await settle(run, `the ${run.service} list after the export press`);
    }
    await hideStrayPopups(run);
  }
  const banner = outcomes.includes('banner') || outcomes.includes('navigated') ? ` ("${OBJECTS_NOT_LOADED_TEXT}" or a reload)` : '';
  throw new SourceError('erp-unreachable', `press the export item: no download after ${outcomes.length} presses (${outcomes.join(', ')})${banner}`);
}
