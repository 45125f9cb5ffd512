/**
 * The simulated ERP's HTML: a login form and DevExpress/XAF-like list views. The markup copies what a
 * client has to cope with on the real ERP, not its looks: element ids that change between restarts, a
 * main menu whose export item is found by its text, a filter combo whose hidden values carry a changing
 * prefix, a loading panel that covers the page until its scripts are ready, and ASP.NET post-backs.
 */
import type { ExportRecord } from '../parsers/types.js';
import type { SimulatedList } from './simulator-lists.js';

/** Per-start tokens: ids and hidden-value prefixes differ between two runs of the simulator. */
export interface PageTokens {
  /** Index of the export item in the main menu's element ids (`Vertical_mainMenu_Menu_DXI<n>_`). */
  menuIndex: number;
  /** Prefix of every filter's hidden value (`xaf_xaf_a3`). */
  filterPrefix: string;
}

/** What a list view shows. */
export interface ListViewModel {
  list: SimulatedList;
  account: string;
  tokens: PageTokens;
  /** Hidden value of the user's remembered filter, or null for a list without filter. */
  filterValue: string | null;
  /** The records the grid shows (the first few are previewed). */
  records: readonly ExportRecord[];
  /** How long the loading panel stays up after the page has loaded, ms. */
  loadingDelayMs: number;
}

const PREVIEW_ROWS = 12;
const PREVIEW_FIELDS = 4;

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
body{font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:13px;margin:0;background:#f4f4f4}
.header{background:#2b579a;color:#fff;padding:8px 16px}.header a{color:#fff}
.content{padding:12px 16px}
.dxm-main{list-style:none;margin:0 0 8px;padding:0;display:flex;gap:2px;background:#fff;border:1px solid #ccc}
.dxm-item{padding:6px 12px;cursor:pointer}.dxm-item:hover{background:#dde8f6}
.dxm-disabled{color:#999;cursor:default}
.dxlpLoadingPanel{position:fixed;inset:0;background:rgba(255,255,255,.75);padding-top:20%;text-align:center;font-size:16px}
table.dxgvTable{border-collapse:collapse;background:#fff}.dxgvTable td,.dxgvTable th{border:1px solid #ddd;padding:3px 8px}
.dxeErrorCell{color:#c00;margin:8px 0}`;

function document(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="it"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Archibald</title><style>${STYLE}</style></head>
<body>${body}</body></html>`;
}

/** The login form; `error` is shown above it after a refused attempt. */
export function loginPage(options: { returnUrl: string | null; error: string | null; userName?: string }): string {
  const action = options.returnUrl ? `Login.aspx?ReturnUrl=${encodeURIComponent(options.returnUrl)}` : 'Login.aspx';
  const prefix = 'Logon_v0_MainLayoutEdit_xaf_l12_xaf_dvi';
  return document('Accesso', `
<div class="header">Archibald</div>
<div class="content">
<h2>Accesso</h2>
<form id="form1" method="post" action="${escapeHtml(action)}">
${options.error ? `<div class="dxeErrorCell" id="Logon_ErrorInfo">${escapeHtml(options.error)}</div>` : ''}
<table>
<tr><td><label for="${prefix}UserName_Edit_I">Nome utente:</label></td>
<td><input type="text" id="${prefix}UserName_Edit_I" name="UserName" value="${escapeHtml(options.userName ?? '')}" autocomplete="username"></td></tr>
<tr><td><label for="${prefix}Password_Edit_I">Password:</label></td>
<td><input type="password" id="${prefix}Password_Edit_I" name="Password" autocomplete="current-password"></td></tr>
</table>
<input type="submit" id="Logon_PopupActions_Menu_DXI0_T" value="Accedi">
</form>
</div>`);
}

function menu(tokens: PageTokens): string {
  const item = (index: number, command: string, text: string, disabled = false): string =>
    `<li id="Vertical_mainMenu_Menu_DXI${index}_" class="dxm-item${disabled ? ' dxm-disabled' : ''}" data-command="${command}"><span class="dx-vam">${escapeHtml(text)}</span></li>`;
  return `<ul id="Vertical_mainMenu_Menu" class="dxm-main">
${item(0, 'New', 'Nuovo', true)}
${item(1, 'Refresh', 'Aggiorna')}
${item(tokens.menuIndex, 'Export:PDF', 'Esporta in PDF')}
${item(tokens.menuIndex + 1, 'Export:XLSX', 'Esporta in XLSX', true)}
</ul>`;
}

function filterCombo(model: ListViewModel): string {
  if (model.list.filters.length === 0) return '';
  const options = model.list.filters.map((f) => {
    const value = model.tokens.filterPrefix + f.code;
    return `<option value="${escapeHtml(value)}"${value === model.filterValue ? ' selected' : ''}>${escapeHtml(f.text)}</option>`;
  });
  return `<div class="filter"><label>Filtro: </label><select id="Vertical_v5_MainLayoutView_xaf_l${model.tokens.menuIndex}_FilterCombo_I" name="FilterCombo">${options.join('')}</select></div>`;
}

function grid(records: readonly ExportRecord[]): string {
  const preview = records.slice(0, PREVIEW_ROWS);
  const fields = Object.keys(records[0] ?? {}).filter((k) => k !== 'extra').slice(0, PREVIEW_FIELDS);
  const head = fields.map((f) => `<th>${escapeHtml(f)}</th>`).join('');
  const rows = preview.map((r) => `<tr>${fields.map((f) => `<td>${escapeHtml(r[f] ?? '')}</td>`).join('')}</tr>`).join('\n');
  return `<table class="dxgvTable" id="Vertical_v5_MainLayoutView_xaf_l_Grid"><tr>${head}</tr>${rows}</table>
<div class="dxgvPagerBottomPanel">${records.length} elementi</div>`;
}

/**
 * The client script: the loading panel hides `loadingDelayMs` after load, and menu clicks and filter
 * changes before that are ignored (as DevExpress callbacks are while a panel is up). The export item
 * posts the form back; the answer is the PDF as an attachment, so the page stays where it is.
 */
function script(loadingDelayMs: number): string {
  return `<script>
(function () {
  var ready = false;
  var panel = document.getElementById('LoadingPanel');
  var form = document.getElementById('form1');
  function busy() { ready = false; panel.style.display = 'block'; }
  function postBack(target, argument) {
    document.getElementById('__EVENTTARGET').value = target;
    document.getElementById('__EVENTARGUMENT').value = argument;
    form.submit();
  }
  window.addEventListener('load', function () {
    setTimeout(function () { panel.style.display = 'none'; ready = true; }, ${Math.max(0, Math.round(loadingDelayMs))});
  });
  document.getElementById('Vertical_mainMenu_Menu').addEventListener('click', function (event) {
    var item = event.target.closest('li[data-command]');
    if (!item || !ready || item.classList.contains('dxm-disabled')) return;
    var command = item.getAttribute('data-command');
    if (command === 'Refresh') { busy(); location.reload(); }
    if (command === 'Export:PDF') postBack('Vertical$mainMenu', command);
  });
  var combo = document.querySelector('select[name=FilterCombo]');
  if (combo) combo.addEventListener('change', function () {
    if (!ready) return;
    busy();
    postBack('Vertical$FilterCombo', combo.value);
  });
})();
</script>`;
}

/** A list view with its menu, filter combo, grid preview and loading panel. */
export function listViewPage(model: ListViewModel): string {
  return document(model.list.title, `
<div id="LoadingPanel" class="dxlpLoadingPanel dxlpControl" style="display:block">Caricamento in corso&hellip;</div>
<div class="header">Archibald &mdash; ${escapeHtml(model.account)} &middot; <a href="/Logout.aspx">Esci</a></div>
<form id="form1" method="post" action="./">
<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">
<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">
<div class="content">
<h2>${escapeHtml(model.list.title)}</h2>
${menu(model.tokens)}
${filterCombo(model)}
${grid(model.records)}
</div>
</form>
${script(model.loadingDelayMs)}`);
}

/** The home page after login: links to the six lists. */
export function homePage(account: string, lists: readonly SimulatedList[]): string {
  const links = lists.map((l) => `<li><a href="/${l.path}/">${escapeHtml(l.title)}</a></li>`).join('');
  return document('Home', `<div class="header">Archibald &mdash; ${escapeHtml(account)}</div><div class="content"><ul>${links}</ul></div>`);
}

/** ASP.NET's yellow screen, for the HTTP 500 fault. */
export function serverErrorPage(): string {
  return document('Errore', `<h1>Server Error in '/' Application.</h1><p>An unhandled exception occurred during the execution of the current web request.</p>`);
}
