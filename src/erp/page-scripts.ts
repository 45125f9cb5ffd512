/**
 * Scripts run inside the ERP's pages (ERP-UI.md), kept as plain JavaScript source. Functions passed to
 * `page.evaluate` are serialised with `Function.prototype.toString`, and a TypeScript build (tsx,
 * esbuild `keepNames`) may wrap nested functions in helpers such as `__name` that do not exist in the
 * page; source text is sent as written.
 */

const call = (body: string, ...args: unknown[]): string => `(function () {${body}}).apply(null, ${JSON.stringify(args)})`;

/** Dispatches the pointer sequence the ERP's menus react to (ERP-UI §3); shared by the scripts below. */
const PRESS = `function press(el) {
  ['mousedown', 'mouseup', 'click'].forEach(function (type) {
    el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window, button: 0 }));
  });
}
function shown(el) { var r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; }`;

/**
 * `true` when the page is ready (ERP-UI §1): loaded, no visible DevExpress loading panel, no
 * `dxfw-wait` on `<body>`, and no control of the page in a callback.
 */
export const PAGE_READY = `(function () {
  if (document.readyState !== 'complete' || !document.body) return false;
  if (document.body.classList.contains('dxfw-wait')) return false;
  var panels = document.querySelectorAll('table.dxlpLoadingPanel_XafTheme, .dxlpLoadingPanel, [id*="LPV"], [id$="_LD"]');
  for (var i = 0; i < panels.length; i++) {
    var style = getComputedStyle(panels[i]);
    var r = panels[i].getBoundingClientRect();
    if (style.display !== 'none' && style.visibility !== 'hidden' && r.width > 0 && r.height > 0) return false;
  }
  var keys = Object.keys(window);
  for (var k = 0; k < keys.length; k++) {
    var control;
    try { control = window[keys[k]]; } catch (e) { continue; }
    if (control && typeof control === 'object' && typeof control.InCallback === 'function') {
      try { if (control.InCallback()) return false; } catch (e) { /* a control being torn down */ }
    }
  }
  return true;
})()`;

/**
 * Types the credentials into the login editors (ERP-UI §2): the native value setter, then `input` and
 * `change`, since the editors read their value on `change` and `.value` alone submits empty fields.
 * Returns false when the fields are missing.
 */
export function fillLoginScript(user: string, password: string): string {
  return call(`
  var user = document.querySelector('input[id$="xaf_dviUserName_Edit_I"]');
  var pass = document.querySelector('input[id$="xaf_dviPassword_Edit_I"]');
  if (!user || !pass) return false;
  var setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  [[user, arguments[0]], [pass, arguments[1]]].forEach(function (pair) {
    pair[0].focus();
    setter.call(pair[0], pair[1]);
    pair[0].dispatchEvent(new Event('input', { bubbles: true }));
    pair[0].dispatchEvent(new Event('change', { bubbles: true }));
  });
  pass.focus();
  return true;`, user, password);
}

/** Presses "Accedi" (`li#Logon_PopupActions_Menu_DXI0_`'s `_T` anchor). Returns false when it is missing. */
export const PRESS_LOG_ON = call(`${PRESS}
  var anchor = document.getElementById('Logon_PopupActions_Menu_DXI0_T');
  if (!anchor) return false;
  press(anchor);
  return true;`);

/** The refused login's message in `#Logon_ErrorInfo` when it is shown, else ''. */
export const LOGIN_ERROR_TEXT = call(`${PRESS}
  var info = document.getElementById('Logon_ErrorInfo');
  return info && shown(info) ? (info.textContent || '').replace(/\\s+/g, ' ').trim() || 'refused without a message' : '';`);

/** Hides every visible stray popup (`*PopupWindow*`, `*UPPopup*`) through its client object; returns their names. */
export const HIDE_STRAY_POPUPS = call(`
  var hidden = [];
  Object.keys(window).forEach(function (name) {
    if (!/PopupWindow|UPPopup/.test(name)) return;
    var popup = window[name];
    if (!popup || typeof popup.Hide !== 'function') return;
    var visible = typeof popup.IsVisible === 'function' ? popup.IsVisible() : typeof popup.GetVisible === 'function' ? popup.GetVisible() : true;
    if (visible) { popup.Hide(); hidden.push(name); }
  });
  return hidden;`);

/**
 * Clears the grid filter saved in the user's profile (ERP-UI §5): the grid object is found on `window`
 * by its methods, its name changing per session. `cleared`, `none` (no filter set) or `missing`.
 */
export const CLEAR_GRID_FILTER = call(`
  var names = Object.keys(window);
  for (var i = 0; i < names.length; i++) {
    var grid = window[names[i]];
    if (!grid || typeof grid !== 'object') continue;
    if (['GetColumn', 'GetRowValues', 'GotoPage', 'ClearFilter'].some(function (m) { return typeof grid[m] !== 'function'; })) continue;
    if (typeof grid.GetFilterExpression === 'function' && !grid.GetFilterExpression()) return 'none';
    grid.ClearFilter();
    return 'cleared';
  }
  return 'missing';`);

/** A filter combo as read on the page. */
export interface ComboReading {
  /** Client object name (`Vertical_mainMenu_Menu_ITCNT8_xaf_a0_Cb`). */
  id: string;
  value: string;
  /** The display text, trimmed (the ERP pads some: "All Orders "). */
  text: string;
  items: { index: number; text: string; value: string }[];
  /** The combo sits in the toolbar's overflow (its element is 0×0). */
  hidden: boolean;
}

/** Reads the combo `Vertical_mainMenu_Menu_ITCNT{k}_xaf_a{m}_Cb` through its client object, whatever `m` is; null when absent. */
export function readComboScript(itcnt: number): string {
  return call(`${PRESS}
  var pattern = new RegExp('^Vertical_mainMenu_Menu_ITCNT' + arguments[0] + '_xaf_a\\\\d+_Cb$');
  var names = Object.keys(window).filter(function (n) { return pattern.test(n) && window[n] && typeof window[n].GetValue === 'function'; });
  if (names.length !== 1) return null;
  var combo = window[names[0]];
  var items = [];
  for (var i = 0; i < combo.GetItemCount(); i++) { var item = combo.GetItem(i); items.push({ index: i, text: String(item.text).trim(), value: String(item.value) }); }
  var input = document.getElementById(names[0] + '_I');
  var text = typeof combo.GetText === 'function' ? combo.GetText() : input ? input.value : '';
  return { id: names[0], value: String(combo.GetValue()), text: String(text).trim(), items: items, hidden: !input || !shown(input) };`, itcnt);
}

/** `SetValue(value)` on a combo's client object. */
export function setComboValueScript(id: string, value: string): string {
  return call(`window[arguments[0]].SetValue(arguments[1]); return true;`, id, value);
}

/** `ShowDropDown()` on a combo's client object. */
export function showDropDownScript(id: string): string {
  return call(`window[arguments[0]].ShowDropDown(); return true;`, id);
}

/** Presses an element by id when it is shown; false when it is missing or 0×0. */
export function pressByIdScript(id: string): string {
  return call(`${PRESS}
  var el = document.getElementById(arguments[0]);
  if (!el || !shown(el)) return false;
  press(el);
  return true;`, id);
}

/** The export item as found on the page. */
export interface ExportItemReading {
  /** The item's `_T` anchor id (or the item's id when it has none). */
  anchorId: string;
  shown: boolean;
  /** The overflow item's anchor id, when the toolbar has a visible one. */
  overflowAnchorId: string | null;
}

/**
 * Finds the export item by its title or contained text (ERP-UI §3), preferring the hinted index, and
 * the visible "Show hidden items" overflow item; null when no item matches.
 */
export function findExportItemScript(exportHint: number, overflowHint: number, title: string, texts: readonly string[]): string {
  return call(`${PRESS}
  var title = arguments[2], texts = arguments[3];
  var items = Array.prototype.slice.call(document.querySelectorAll('li.dxm-item'));
  var matches = items.filter(function (li) {
    var content = li.textContent || '';
    return li.getAttribute('title') === title || texts.some(function (t) { return content.indexOf(t) >= 0; });
  });
  if (!matches.length) return null;
  var hinted = document.getElementById('Vertical_mainMenu_Menu_DXI' + arguments[0] + '_');
  var item = matches.indexOf(hinted) >= 0 ? hinted : matches[0];
  var anchor = document.getElementById(item.id + 'T') || item.querySelector('a') || item;
  var overflows = items.filter(function (li) { return li.classList.contains('dxm-dropDownMode') && shown(li); });
  var hintedOverflow = document.getElementById('Vertical_mainMenu_Menu_DXI' + arguments[1] + '_');
  var overflow = overflows.indexOf(hintedOverflow) >= 0 ? hintedOverflow : overflows[0];
  var overflowAnchor = overflow ? document.getElementById(overflow.id + 'T') || overflow.querySelector('a') || overflow : null;
  if (anchor && !anchor.id) anchor.id = 'sync-export-anchor';
  if (overflowAnchor && !overflowAnchor.id) overflowAnchor.id = 'sync-overflow-anchor';
  return { anchorId: anchor.id, shown: shown(anchor), overflowAnchorId: overflowAnchor ? overflowAnchor.id : null };`, exportHint, overflowHint, title, texts);
}

/** `true` when the page shows the given text in a visible element (the data-store error banner). */
export function showsTextScript(text: string): string {
  return call(`return !!document.body && (document.body.innerText || '').indexOf(arguments[0]) >= 0;`, text);
}

/** Grid data rows and how many of them show every cell empty (the DDT/invoices first-load quirk). */
export const GRID_EMPTY_ROWS = call(`
  var rows = document.querySelectorAll('tr.dxgvDataRow_XafTheme, tr[id*="DXDataRow"]');
  var empty = 0;
  for (var i = 0; i < rows.length; i++) {
    var cells = rows[i].querySelectorAll('td');
    var blank = cells.length > 0;
    for (var j = 0; j < cells.length && blank; j++) if ((cells[j].textContent || '').trim()) blank = false;
    if (blank) empty++;
  }
  return { rows: rows.length, empty: empty };`);
