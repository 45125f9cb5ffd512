/**
 * The simulated ERP's HTML, after the real DevExpress/XAF pages (ERP-UI.md): the login page with its
 * DevExpress text boxes and the "Accedi" menu item, and the list views with the `Vertical_mainMenu_Menu`
 * toolbar (per-list `DXI{n}` indexes, the export item with its title and doubled text, the "Show hidden
 * items" overflow), filter combos in template items with `xaf_xaf_a{m}<Name>` values, the grid, the
 * loading panel and the error banner. Behaviour lives in `simulator-client.ts`.
 */
import type { ExportRecord } from '../parsers/types.js';
import { LIST_SCRIPT, LOGIN_SCRIPT } from './simulator-client.js';
import { dataCombo, type SimulatedList, type ToolbarCombo, type UiLanguage } from './simulator-lists.js';

/** The text the real ERP shows when a record set cannot be read (ERP-UI §6). */
export const OBJECTS_NOT_LOADED = 'Requested objects cannot be loaded';

/** The export item's texts (ERP-UI §3). */
export const EXPORT_ITEM: Readonly<Record<UiLanguage, { title: string; text: string }>> = {
  it: { title: 'Esportare in PDF File', text: 'Esportare in' },
  en: { title: 'Export to PDF File', text: 'Export to' },
};

/** What the login page shows. */
export interface LoginModel {
  returnUrl: string | null;
  lang: UiLanguage;
  /** The `{n}` of the editors' ids (`Logon_v0_{n}_MainLayoutEdit_…`). */
  editorIndex: number;
  loadingMs: number;
  callbackMs: number;
}

/** What a list view shows. */
export interface ListViewModel {
  list: SimulatedList;
  account: string;
  lang: UiLanguage;
  /** The `m` of `xaf_a{m}` (changed by ERP maintenance). */
  prefixIndex: number;
  /** The selected value's code per combo `itcnt`. */
  selected: ReadonlyMap<number, string>;
  /** The records the grid shows (the first few are previewed). */
  records: readonly ExportRecord[];
  /** Rows are shown with empty cells (the DDT/invoices first-load quirk). */
  emptyCells: boolean;
  /** The saved grid filter's expression, or ''. */
  gridFilter: string;
  /** The grid's client object name (`Vertical_v{N}_{id}_LE_v{N}`, different per session). */
  gridName: string;
  narrow: boolean;
  strayPopup: boolean;
  setValueNavigates: boolean;
  setValueIgnored: boolean;
  /** Text of the inline error banner shown at load, or null. */
  banner: string | null;
  loadingMs: number;
  callbackMs: number;
}

const PREVIEW_ROWS = 12;
const PREVIEW_FIELDS = 5;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that is safe inside a `<script>` element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const STYLE = `
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:13px;margin:0;background:#f4f4f4}
.header{background:#2b579a;color:#fff;padding:8px 16px}.header a{color:#fff}
.content{padding:12px 16px}
.dxm-main{list-style:none;margin:0 0 8px;padding:0;display:flex;gap:2px;background:#fff;border:1px solid #ccc}
.dxm-item{padding:6px 10px;cursor:pointer;white-space:nowrap}.dxm-disabled{color:#999;cursor:default}
.dxm-content{color:inherit;text-decoration:none}.dxm-popOut{display:none}
.dxm-popup{position:absolute;background:#fff;border:1px solid #999;z-index:20}.dxm-popup ul{list-style:none;margin:0;padding:4px}
.dxeButtonEdit_XafTheme{border:1px solid #aaa;background:#fff;display:inline-table}
.dxpcDropDown_XafTheme{position:absolute;background:#fff;border:1px solid #999;z-index:30}
.dxeListBoxItem_XafTheme{padding:3px 8px;cursor:pointer}
.dxlpLoadingPanel_XafTheme{position:fixed;top:40%;left:45%;background:#fff;border:1px solid #999;padding:12px;z-index:50}
.dxlpLoadingDiv_XafTheme{position:fixed;inset:0;background:rgba(255,255,255,.6);z-index:40}
.dxgvTable_XafTheme{border-collapse:collapse;background:#fff}.dxgv{border:1px solid #ddd;padding:3px 8px;height:16px}
.dxeErrorFrame{color:#c00;margin:8px 0;border:1px solid #c00;padding:6px}
.dxpcLite_XafTheme{position:fixed;top:30%;left:35%;background:#fff;border:1px solid #666;padding:16px;z-index:60}
.dxpcModalBackLite_XafTheme{position:fixed;inset:0;background:rgba(0,0,0,.3);z-index:55}`;

/** A page; `busy` pages start with `dxfw-wait` until their script has initialised the controls. */
function document(lang: UiLanguage, title: string, body: string, busy = true): string {
  return `<!DOCTYPE html>
<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body class="dxBody_XafTheme${busy ? ' dxfw-wait' : ''}">${body}</body></html>`;
}

/** The DevExpress loading panel and its shading div, shown while the page is busy. */
function loadingPanel(): string {
  return `<table id="Vertical_LPV" class="dxlpLoadingPanel_XafTheme dxlpControl_XafTheme"><tr><td class="dx"><span id="Vertical_LPV_TL">Loading&hellip;</span></td></tr></table>
<div id="Vertical_LD" class="dxlpLoadingDiv_XafTheme"></div>`;
}

const LOGIN_TEXTS = {
  it: { welcome: 'Benvenuto! Inserisci il tuo nome utente e password qui sotto.', user: 'NOME ACCOUNT:', password: 'PASSWORD:', logOn: 'Accedi' },
  en: { welcome: 'Welcome! Please enter your user name and password below.', user: 'USER NAME:', password: 'PASSWORD:', logOn: 'Log On' },
} as const;

/** The id of a login editor's input (`…xaf_dviUserName_Edit_I`). */
export function loginEditorId(editorIndex: number, field: 'UserName' | 'Password'): string {
  return `Logon_v0_${editorIndex}_MainLayoutEdit_xaf_l12_xaf_l30_xaf_dvi${field}_Edit`;
}

/** The login page: DevExpress text boxes, no submit button, "Accedi" as a popup-actions menu item. */
export function loginPage(model: LoginModel): string {
  const texts = LOGIN_TEXTS[model.lang];
  const editor = (field: 'UserName' | 'Password', caption: string, type: string): string => {
    const id = loginEditorId(model.editorIndex, field);
    return `<tr><td class="dxflCaption_XafTheme"><label for="${id}_I">${caption}</label></td>
<td><table id="${id}" class="dxeTextBox_XafTheme"><tr><td class="dxic"><input id="${id}_I" name="${id.replace(/_/g, '$')}" class="dxeEditArea_XafTheme dxeEditAreaSys" type="${type}" autocomplete="off" value=""></td></tr></table>
<input type="hidden" id="${id}_EditorClientInfo" name="${id}_EditorClientInfo" value=""></td></tr>`;
  };
  const config = { userId: `${loginEditorId(model.editorIndex, 'UserName')}_I`, passwordId: `${loginEditorId(model.editorIndex, 'Password')}_I`, loadingMs: model.loadingMs, callbackMs: model.callbackMs };
  return document(model.lang, 'Log In', `
<form id="form1" method="post" action="" onsubmit="return false">
<div class="header">Archibald</div>
<div class="content">
<h2>Log In</h2>
<p>${escapeHtml(texts.welcome)}</p>
<div id="Logon_ErrorInfo" class="dxeErrorFrame" style="display:none"></div>
<table>${editor('UserName', texts.user, 'text')}${editor('Password', texts.password, 'password')}</table>
<ul id="Logon_PopupActions_Menu" class="dxm-main">
<li id="Logon_PopupActions_Menu_DXI0_" class="dxm-item" title="${texts.logOn}"><a id="Logon_PopupActions_Menu_DXI0_T" class="dxm-content dxm-hasText" href="javascript:;"><span class="dx-vam">${texts.logOn}</span></a></li>
</ul>
</div>
</form>
${loadingPanel()}
<script>window.__dx = ${scriptJson(config)};</script>
<script>${LOGIN_SCRIPT}</script>`);
}

/** A combo's client object name: `Vertical_mainMenu_Menu_ITCNT{k}_xaf_a{m}_Cb`. */
export function comboId(combo: ToolbarCombo, prefixIndex: number): string {
  return `Vertical_mainMenu_Menu_ITCNT${combo.itcnt}_xaf_a${prefixIndex}_Cb`;
}

/** A combo's hidden value for a code: `xaf_xaf_a{m}<Name>`. */
export function comboValue(code: string, prefixIndex: number): string {
  return `xaf_xaf_a${prefixIndex}${code}`;
}

const anchor = (id: string, inner: string, hasText = true): string =>
  `<a id="${id}T" class="dxm-content${hasText ? ' dxm-hasText' : ''}" href="javascript:;">${inner}</a>`;

function toolbarItem(list: SimulatedList, index: number, model: ListViewModel): string {
  const id = `Vertical_mainMenu_Menu_DXI${index}_`;
  const lang = model.lang;
  if (index === list.exportIndex) {
    const { title, text } = EXPORT_ITEM[lang];
    // The drop-down export item repeats its text in its pop-out: `textContent` reads it twice (ERP-UI §3).
    return `<li id="${id}" class="dxm-item dropDownExport dxm-noSubMenu" title="${title}">${anchor(id, `<img class="dxm-image dx-vam" alt=""><span class="dx-vam">${text}</span>`)}<div class="dxm-popOut"><span class="dx-vam">${text}</span></div></li>`;
  }
  if (index === list.overflowIndex) {
    return `<li id="${id}" class="dxm-item dxm-dropDownMode" title="Show hidden items" style="display:none">${anchor(id, '<span class="dx-vam">Show hidden items</span>', false)}</li>`;
  }
  const combo = list.combos.find((c) => c.itcnt === index);
  if (combo) return `<li id="${id}" class="dxm-item dxm-tmpl"><div id="Vertical_mainMenu_Menu_ITCNT${index}" class="dxm-tmplContainer">${comboHtml(combo, model)}</div></li>`;
  const button = list.buttons[index];
  const text = button ? button.text[lang] : `Action ${index}`;
  return `<li id="${id}" class="dxm-item${button?.disabled ? ' dxm-disabled' : ''}" title="${escapeHtml(text)}">${anchor(id, `<span class="dx-vam">${escapeHtml(text)}</span>`)}</li>`;
}

function comboHtml(combo: ToolbarCombo, model: ListViewModel): string {
  const id = comboId(combo, model.prefixIndex);
  const code = model.selected.get(combo.itcnt);
  const chosen = combo.filters.find((f) => f.code === code) ?? combo.filters.find((f) => f.all) ?? combo.filters[0]!;
  return `<table id="${id}" class="dxeButtonEdit_XafTheme dxeButtonEditSys"><tr>
<td class="dxic"><input id="${id}_I" name="Vertical$mainMenu$Menu$ITCNT${combo.itcnt}$xaf_a${model.prefixIndex}$Cb" class="dxeEditArea_XafTheme dxeEditAreaSys" type="text" readonly value="${escapeHtml(chosen.text[model.lang])}"></td>
<td id="${id}_B-1" class="dxeButton dxeButtonEditButton_XafTheme"><img class="dxEditors_edtDropDown_XafTheme" alt="v"></td>
</tr></table>
<input type="hidden" id="${id}_VI" name="${id}_VI" value="${escapeHtml(comboValue(chosen.code, model.prefixIndex))}">
<div id="${id}_DDD" class="dxpcDropDown_XafTheme" style="display:none"><table id="${id}_DDD_L" class="dxeListBox_XafTheme"><tbody id="${id}_DDD_L_LBT"></tbody></table></div>`;
}

/** A grid value as the UI language shows it: dates `28/03/2026` or `3/28/2026 6:24:57 AM`, numbers `55.080` or `55,080`. */
export function displayValue(value: unknown, lang: UiLanguage): string {
  const locale = lang === 'it' ? 'it-IT' : 'en-US';
  if (typeof value === 'number') return value.toLocaleString(locale);
  if (typeof value === 'boolean') return value ? '\u2611' : '\u2610';
  if (value === null || value === undefined) return '';
  const text = String(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?$/.exec(text);
  if (!match) return text;
  const [, y, mo, d, h, mi, s] = match;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)));
  const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', ...(h === undefined ? { dateStyle: 'short' } : { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', second: '2-digit' }) };
  return date.toLocaleString(locale, options).replace(',', '');
}

/** The grid: a preview of the first rows, with every cell empty under the first-load quirk. */
export function gridHtml(records: readonly ExportRecord[], lang: UiLanguage, emptyCells: boolean): string {
  const fields = Object.keys(records[0] ?? {}).filter((k) => k !== 'extra').slice(0, PREVIEW_FIELDS);
  const head = fields.map((f) => `<td class="dxgvHeader_XafTheme">${escapeHtml(f)}</td>`).join('');
  const rows = records.slice(0, PREVIEW_ROWS).map((r, i) =>
    `<tr id="Vertical_Grid_DXDataRow${i}" class="dxgvDataRow_XafTheme">${fields.map((f) => `<td class="dxgv">${emptyCells ? '' : escapeHtml(displayValue(r[f], lang))}</td>`).join('')}</tr>`,
  );
  const count = lang === 'it' ? `${records.length.toLocaleString('it-IT')} elementi` : `${records.length.toLocaleString('en-US')} items`;
  return `<div id="Vertical_Grid"><table class="dxgvTable_XafTheme"><tr>${head}</tr>${rows.join('\n')}</table><div class="dxgvPagerBottomPanel_XafTheme">${count}</div></div>`;
}

/** The stray DevExpress popup that covers a page under the stray-popup fault. */
function strayPopupHtml(lang: UiLanguage): string {
  const text = lang === 'it' ? 'Sessione ripristinata: alcune impostazioni sono state reimpostate.' : 'Session restored: some settings were reset.';
  return `<div id="Vertical_UPPopupWindowControl_DXPWMB-1" class="dxpcModalBackLite_XafTheme"></div>
<div id="Vertical_UPPopupWindowControl_PW-1" class="dxpcLite_XafTheme"><div class="dxpc-content">${escapeHtml(text)}</div>
<input type="button" id="Vertical_UPPopupWindowControl_Cancel" value="Cancel" style="display:none"></div>`;
}

/** A list view with its toolbar, combos, grid, loading panel and client objects. */
export function listViewPage(model: ListViewModel): string {
  const { list, lang } = model;
  const items = Array.from({ length: list.overflowIndex + 1 }, (_, i) => toolbarItem(list, i, model)).join('\n');
  const filter = dataCombo(list);
  const config = {
    exportIndex: list.exportIndex,
    overflowIndex: list.overflowIndex,
    // A narrow window moves everything from the export or the filter onwards into the overflow.
    overflowFrom: Array.from({ length: list.overflowIndex }, (_, i) => i).filter((i) => i >= Math.min(list.exportIndex, filter?.itcnt ?? list.exportIndex)),
    toolbarWidth: list.toolbarWidth,
    narrow: model.narrow,
    combos: list.combos.map((c) => ({
      id: comboId(c, model.prefixIndex),
      dataFilter: c.dataFilter,
      setValueNavigates: c.dataFilter && model.setValueNavigates && list.setValueQuirk === 'navigates',
      setValueIgnored: c.dataFilter && model.setValueIgnored && list.setValueQuirk === 'ignored',
      items: c.filters.map((f) => ({ text: f.text[lang], value: comboValue(f.code, model.prefixIndex) })),
    })),
    gridName: model.gridName,
    gridFilter: model.gridFilter,
    columns: Object.keys(model.records[0] ?? {}).filter((k) => k !== 'extra'),
    loadingMs: model.loadingMs,
    callbackMs: model.callbackMs,
  };
  return document(lang, `${list.caption[lang]} - Archibald`, `
<form id="form1" method="post" action="./">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<div class="header">Archibald &mdash; ${escapeHtml(model.account)} &middot; <a href="/Logout.aspx">${lang === 'it' ? 'Esci' : 'Log Off'}</a></div>
<div class="content">
<h2 id="Vertical_ViewCaption">${escapeHtml(list.caption[lang])}</h2>
<ul id="Vertical_mainMenu_Menu" class="dxm-main dxm-horizontal">
${items}
</ul>
<div id="Vertical_mainMenu_Menu_DXM${list.overflowIndex}_" class="dxm-popup" style="display:none"><ul class="dxm-sub"></ul></div>
<div id="Vertical_ErrorInfo" class="dxeErrorFrame"${model.banner ? '' : ' style="display:none"'}>${escapeHtml(model.banner ?? '')}</div>
${model.gridFilter ? `<div id="${model.gridName}_DXFilterBar" class="dxgvFilterBar_XafTheme">${escapeHtml(model.gridFilter)}</div>` : ''}
${gridHtml(model.records, lang, model.emptyCells)}
</div>
</form>
${model.strayPopup ? strayPopupHtml(lang) : ''}
${loadingPanel()}
<script>window.__dx = ${scriptJson(config)};</script>
<script>${LIST_SCRIPT}</script>`);
}

/** The home page after login: links to the six lists. */
export function homePage(account: string, lists: readonly SimulatedList[], lang: UiLanguage): string {
  const links = lists.map((l) => `<li><a href="/${l.path}/">${escapeHtml(l.caption[lang])}</a></li>`).join('');
  return document(lang, 'Archibald', `<div class="header">Archibald &mdash; ${escapeHtml(account)}</div><div class="content"><ul>${links}</ul></div>`, false);
}

/** ASP.NET's yellow screen, for the HTTP 500 fault. */
export function serverErrorPage(): string {
  return `<!DOCTYPE html><html><head><title>Runtime Error</title></head><body><h1>Server Error in '/' Application.</h1><p>An unhandled exception occurred during the execution of the current web request.</p></body></html>`;
}
