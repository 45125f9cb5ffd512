/**
 * Scripts run inside the ERP's pages, kept as plain JavaScript source. Functions passed to
 * `page.evaluate` are serialised with `Function.prototype.toString`, and a TypeScript build (tsx,
 * esbuild `keepNames`) may wrap nested functions in helpers such as `__name` that do not exist in the
 * page; source text is sent as written.
 */

/** `true` once the page has loaded and no loading panel (DevExpress `dxlp…`, `…LoadingPanel`) is visible. */
export const LOADING_DONE = `(function () {
  if (document.readyState !== 'complete') return false;
  var panels = document.querySelectorAll('.dxlpLoadingPanel, .dxlpLoadingPanelWithContent, [id$="LoadingPanel"]');
  for (var i = 0; i < panels.length; i++) {
    var style = getComputedStyle(panels[i]);
    if (style.display !== 'none' && style.visibility !== 'hidden') return false;
  }
  return true;
})()`;

/**
 * Marks the login form's fields (`data-sync-login` = user, password, submit): the password input, the
 * first text input of its form, and its submit button if any. `true` when both fields were found.
 */
export const MARK_LOGIN_FORM = `(function () {
  var password = document.querySelector('input[type="password"]');
  var form = password && password.form;
  if (!form) return false;
  var inputs = form.querySelectorAll('input');
  var user = null;
  for (var i = 0; i < inputs.length; i++) {
    var type = (inputs[i].getAttribute('type') || '').toLowerCase();
    if (inputs[i] !== password && (type === 'text' || type === 'email' || type === '')) { user = inputs[i]; break; }
  }
  if (!user) return false;
  user.setAttribute('data-sync-login', 'user');
  password.setAttribute('data-sync-login', 'password');
  var submit = form.querySelector('[type="submit"], button:not([type])');
  if (submit) submit.setAttribute('data-sync-login', 'submit');
  return true;
})()`;

/** The text of the login page's error message, or ''. */
export const LOGIN_ERROR_TEXT = `(function () {
  var el = document.querySelector('.dxeErrorCell, [id*="Error"], .error, .validation-summary-errors');
  return el ? el.textContent.replace(/\\s+/g, ' ').trim() : '';
})()`;

/**
 * Finds the \`<select>\` offering a value that contains the given substring, marks it
 * (\`data-sync-filter\`) and returns its current and "all" options, or null.
 */
export function findFilterScript(substring: string): string {
  return `(function (substring) {
  var selects = document.querySelectorAll('select');
  for (var i = 0; i < selects.length; i++) {
    var select = selects[i];
    var all = null;
    for (var j = 0; j < select.options.length; j++) if (select.options[j].value.indexOf(substring) >= 0) { all = select.options[j]; break; }
    if (!all) continue;
    select.setAttribute('data-sync-filter', '1');
    var selected = select.selectedOptions[0];
    return {
      selector: 'select[data-sync-filter="1"]',
      current: { value: select.value, text: selected ? selected.textContent.trim() : '' },
      all: { value: all.value, text: all.textContent.trim() }
    };
  }
  return null;
})(${JSON.stringify(substring)})`;
}

/**
 * Finds the innermost element whose whole text is one of the given labels, marks the menu item around
 * it (\`data-sync-export\`) and returns true, or false when there is none.
 */
export function markMenuItemScript(labels: readonly string[]): string {
  return `(function (labels) {
  var elements = document.querySelectorAll('body *');
  var matches = [];
  for (var i = 0; i < elements.length; i++) {
    var el = elements[i];
    if (el.tagName === 'SCRIPT' || el.tagName === 'STYLE') continue;
    if (labels.indexOf((el.textContent || '').replace(/\\s+/g, ' ').trim()) >= 0) matches.push(el);
  }
  var innermost = null;
  for (var k = 0; k < matches.length && !innermost; k++) {
    var inner = true;
    for (var m = 0; m < matches.length; m++) if (m !== k && matches[k].contains(matches[m])) { inner = false; break; }
    if (inner) innermost = matches[k];
  }
  if (!innermost) return false;
  var item = innermost.closest('li, a, button, [role="menuitem"]') || innermost;
  item.setAttribute('data-sync-export', '1');
  return true;
})(${JSON.stringify(labels)})`;
}
