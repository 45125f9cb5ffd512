/**
 * The client scripts of the simulated ERP pages, as plain JavaScript source: a small stand-in of the
 * DevExpress client runtime with the behaviour the real pages show (ERP-UI §1–6). Editors read their
 * value on `change`; "Accedi" raises a callback then redirects; combos are client objects on `window`
 * (`GetValue`, `SetValue`, `ShowDropDown`, `GetItem`) whose list items exist only once dropped down;
 * callbacks are POSTs answered `{size}|/*DX*\/({'result':…})`, during which `<body>` carries `dxfw-wait`,
 * the loading panel shows and `InCallback()` is true; toolbar items that do not fit the window at load
 * move into the "Show hidden items" overflow. Which quirks are on comes from the page's `window.__dx`.
 */

/** Shared by both pages: busy marking and the callback transport. */
const CORE = `
var dx = window.__dx;
// The page starts busy: the panel shows until the page's controls are initialised.
var pending = 1;
function busy(on) {
  pending += on ? 1 : -1;
  var shown = pending > 0;
  document.body.classList.toggle('dxfw-wait', shown);
  var panel = document.getElementById('Vertical_LPV');
  if (panel) panel.style.display = shown ? '' : 'none';
  var div = document.getElementById('Vertical_LD');
  if (div) div.style.display = shown ? '' : 'none';
}
function callback(id, param, done) {
  busy(true);
  var body = '__CALLBACKID=' + encodeURIComponent(id) + '&__CALLBACKPARAM=' + encodeURIComponent(param);
  fetch(location.pathname + location.search, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body })
    .then(function (r) { return r.text().then(function (t) { return { status: r.status, text: t }; }); })
    .then(function (r) {
      var at = r.text.indexOf('/*DX*/(');
      var result = at >= 0 ? JSON.parse(r.text.slice(at + 7, -1)).result : null;
      setTimeout(function () { busy(false); done(r.status, result); }, dx.callbackMs);
    }, function () { busy(false); done(0, null); });
}
function replaceGrid(html) {
  var grid = document.getElementById('Vertical_Grid');
  if (grid && html) grid.outerHTML = html;
}
function press(anchor, action) {
  anchor.addEventListener('click', function (e) { e.preventDefault(); action(); });
}
`;

/** The login page: DevExpress text boxes and the "Accedi" menu item. */
export const LOGIN_SCRIPT = `(function () {
${CORE}
var values = { UserName: '', Password: '' };
var fields = { UserName: document.getElementById(dx.userId), Password: document.getElementById(dx.passwordId) };
Object.keys(fields).forEach(function (name) {
  // ASPx.EValueChanged: the editor's value is taken on change, not from the input's value at submit.
  fields[name].addEventListener('change', function () { values[name] = fields[name].value; });
  fields[name].addEventListener('keydown', function (e) { if (e.key === 'Enter') { values[name] = fields[name].value; logOn(); } });
});
function logOn() {
  callback('Logon', 'Logon', function (status, result) {
    if (result && result.redirect) { location.href = result.redirect; return; }
    var info = document.getElementById('Logon_ErrorInfo');
    info.textContent = result && result.error ? result.error : 'Error ' + status;
    info.style.display = '';
  });
}
window.__logonValues = function () { return 'UserName=' + encodeURIComponent(values.UserName) + '&Password=' + encodeURIComponent(values.Password); };
var originalCallback = callback;
callback = function (id, param, done) { originalCallback(id, window.__logonValues(), done); };
press(document.getElementById('Logon_PopupActions_Menu_DXI0_T'), logOn);
window.addEventListener('load', function () { setTimeout(function () { busy(false); }, dx.loadingMs); });
})();`;

/** A list view: toolbar, overflow, combos, grid object, export, stray popup. */
export const LIST_SCRIPT = `(function () {
${CORE}
var menu = document.getElementById('Vertical_mainMenu_Menu');
var overflow = document.getElementById('Vertical_mainMenu_Menu_DXI' + dx.overflowIndex + '_');
var popupMenu = document.getElementById('Vertical_mainMenu_Menu_DXM' + dx.overflowIndex + '_');
var hidden = [];
var stray = document.getElementById('Vertical_UPPopupWindowControl_PW-1');

// The overflow is computed once, at load, from the window's width (ERP-UI §3).
if (dx.narrow || window.innerWidth < dx.toolbarWidth) {
  dx.overflowFrom.forEach(function (n) {
    var li = document.getElementById('Vertical_mainMenu_Menu_DXI' + n + '_');
    if (li) { li.style.display = 'none'; hidden.push(li); }
  });
  if (hidden.length) overflow.style.display = '';
}
function inOverflow(el) { return hidden.some(function (li) { return li.contains(el); }); }
press(document.getElementById(overflow.id + 'T'), function () {
  var list = popupMenu.querySelector('ul');
  hidden.forEach(function (li) { list.appendChild(li); li.style.display = ''; });
  popupMenu.style.display = '';
});
function modal() { return stray && stray.style.display !== 'none'; }

window.Vertical_UPPopupWindowControl = {
  Hide: function () { if (stray) stray.style.display = 'none'; var bg = document.getElementById('Vertical_UPPopupWindowControl_DXPWMB-1'); if (bg) bg.style.display = 'none'; },
  Show: function () { if (stray) stray.style.display = ''; },
  IsVisible: function () { return modal(); },
  GetVisible: function () { return modal(); },
  InCallback: function () { return false; }
};
var cancel = document.getElementById('Vertical_UPPopupWindowControl_Cancel');
if (cancel) cancel.addEventListener('click', function () { document.getElementById('form1').submit(); });

dx.combos.forEach(function (c) {
  var input = document.getElementById(c.id + '_I');
  var vi = document.getElementById(c.id + '_VI');
  var dropDown = document.getElementById(c.id + '_DDD');
  var rows = document.getElementById(c.id + '_DDD_L_LBT');
  var calling = false;
  function show(item) { input.value = item.text; vi.value = item.value; }
  function itemOf(value) { for (var i = 0; i < c.items.length; i++) if (c.items[i].value === value) return c.items[i]; return null; }
  function send(item, viaClick) {
    show(item);
    if (!viaClick && c.setValueIgnored) return;
    calling = true;
    callback(c.id, 'value:' + item.value, function (status, result) {
      calling = false;
      if (status !== 200) { location.reload(); return; }
      if (!viaClick && c.setValueNavigates) { location.href = location.pathname; return; }
      if (result) replaceGrid(result.grid);
    });
  }
  var object = {
    GetValue: function () { return vi.value; },
    GetText: function () { return input.value; },
    GetItemCount: function () { return c.items.length; },
    GetItem: function (i) { var item = c.items[i]; return item ? { index: i, text: item.text, value: item.value } : null; },
    SetValue: function (value) { var item = itemOf(value); if (item) send(item, false); },
    ShowDropDown: function () {
      rows.innerHTML = '';
      // While the combo sits in the overflow its drop-down renders no items (ERP-UI §4).
      if (!inOverflow(input)) {
        c.items.forEach(function (item, i) {
          var tr = document.createElement('tr');
          tr.id = c.id + '_DDD_L_LBI' + i;
          tr.className = 'dxeListBoxItemRow_XafTheme';
          var td = document.createElement('td');
          td.id = c.id + '_DDD_L_LBI' + i + 'T0';
          td.className = 'dxeListBoxItem_XafTheme';
          td.textContent = item.text;
          td.addEventListener('click', function () { dropDown.style.display = 'none'; send(item, true); });
          tr.appendChild(td);
          rows.appendChild(tr);
        });
      }
      dropDown.style.display = '';
    },
    HideDropDown: function () { dropDown.style.display = 'none'; },
    InCallback: function () { return calling; }
  };
  window[c.id] = object;
  document.getElementById(c.id + '_B-1').addEventListener('click', function () { object.ShowDropDown(); });
});

var gridCalling = false;
window[dx.gridName] = {
  GetColumn: function (i) { return dx.columns[i] ? { index: i, fieldName: dx.columns[i] } : null; },
  GetColumnCount: function () { return dx.columns.length; },
  GetRowValues: function (i, fields, done) { setTimeout(function () { done(null); }, 0); },
  GotoPage: function () {},
  GetFilterExpression: function () { return dx.gridFilter; },
  ClearFilter: function () {
    gridCalling = true;
    callback(dx.gridName, 'ClearFilter', function (status, result) { gridCalling = false; dx.gridFilter = ''; if (result) replaceGrid(result.grid); });
  },
  InCallback: function () { return gridCalling; }
};

var exporting = false;
press(document.getElementById('Vertical_mainMenu_Menu_DXI' + dx.exportIndex + '_T'), function () {
  if (modal() || exporting || pending > 0) return;
  exporting = true;
  callback('Vertical_mainMenu_Menu', 'Export', function (status, result) {
    exporting = false;
    var outcome = result && result.outcome;
    if (outcome === 'ok') {
      document.getElementById('__EVENTTARGET').value = 'Vertical$mainMenu$Menu';
      document.getElementById('__EVENTARGUMENT').value = 'Export:PDF';
      document.getElementById('form1').submit();
    } else if (outcome === 'banner') {
      var banner = document.getElementById('Vertical_ErrorInfo');
      banner.textContent = result.message;
      banner.style.display = '';
    } else if (outcome === 'navigate' || status !== 200) {
      location.href = location.pathname;
    }
  });
});
window.addEventListener('load', function () { setTimeout(function () { busy(false); }, dx.loadingMs); });
})();`;
