// The operator dashboard: one WebSocket to /api/sync/stream for live state, the REST API for the
// ledgers and for actions. No framework and no build step: the service serves this file as is.
// Every value from the API reaches the page through textContent (never innerHTML).

import { mountInspector } from './inspector.js';

const TOKEN_KEY = 'sync-orchestrator.token';
/** Progress events arrive up to once per percent; anything else changes structure and needs a fresh status. */
const PATCHED_IN_PLACE = new Set(['sync.progress', 'orchestrator.state', 'machine.transition']);
/** Events after which the ledgers have news. */
const LEDGER_EVENTS = new Set(['sync.started', 'sync.completed', 'sync.failed', 'sync.paused', 'sync.resumed', 'sync.skipped']);
/** A burst of events (a run finishing chains two more) becomes one refresh. */
const REFRESH_DEBOUNCE_MS = 150;
/** Reconnect delays after the stream drops, then the last one repeatedly. */
const RECONNECT_DELAYS_MS = [250, 1000, 2000, 5000];
/** Freshness and health change with time alone; the stream does not announce that. */
const HEALTH_POLL_MS = 30_000;
const EVENT_FEED_LENGTH = 40;

const REGIONS = [
  { id: 'dispatch', title: 'dispatch', states: ['idle', 'queued', 'running', { id: 'paused', children: ['draining', 'holding'] }] },
  { id: 'clock', title: 'clock', states: ['waiting', 'firing'] },
  { id: 'erp', title: 'erp breaker', states: ['closed', 'open', 'halfOpen'] },
];
const TARGET_STATES = [
  { id: 'idle', group: '' },
  { id: 'running.downloading', label: 'downloading', group: 'running' },
  { id: 'running.parsing', label: 'parsing', group: 'running' },
  { id: 'running.applying', label: 'applying', group: 'running' },
  { id: 'running.finalizing', label: 'finalizing', group: 'running' },
  { id: 'running.pausing', label: 'pausing', group: 'running' },
  { id: 'paused', group: '' },
  { id: 'retrying', group: '' },
  { id: 'failed', group: '' },
];
const PHASES = ['downloading', 'parsing', 'applying', 'finalizing'];
/** The run ledger's columns; the row counts are abbreviated in the table and named on a phone's cards. */
const RUN_COLUMNS = [
  { name: 'target' },
  { name: 'trigger' },
  { name: 'outcome' },
  { name: 'started' },
  { name: 'took' },
  { name: 'ins', label: 'inserted', num: true },
  { name: 'upd', label: 'updated', num: true },
  { name: 'same', label: 'same', num: true },
  { name: 'del', label: 'deleted', num: true },
  { name: 'phases' },
];

const state = {
  token: localStorage.getItem(TOKEN_KEY),
  socket: null,
  lastSeq: null,
  epoch: null,
  reconnects: 0,
  status: null,
  schedules: [],
  runs: [],
  skips: [],
  health: null,
  events: [],
  refreshTimer: null,
  ledgerDirty: false,
  healthDirty: false,
};

// ─── tiny DOM helpers ──────────────────────────────────────────────────────────────────────────────

const $ = (selector) => document.querySelector(selector);

/** `h('span', {class: 'x'}, 'text', child)`: an element with attributes and children (strings as text). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/**
 * Names each body cell after its column header (its `data-label` when it has one), so that a narrow screen shows
 * the rows as labelled cards (style.css) with every column still there.
 */
function labelCells(selector) {
  const names = Array.from(document.querySelectorAll(`${selector} thead th`), (th) => th.dataset.label ?? th.textContent);
  for (const row of document.querySelectorAll(`${selector} tbody tr`)) {
    Array.from(row.cells).forEach((cell, i) => (cell.dataset.label = names[i] ?? ''));
  }
}

function fill(selector, ...children) {
  $(selector).replaceChildren(...children.flat().filter(Boolean));
}

function empty(text) {
  return h('p', { class: 'empty' }, text);
}

// ─── formatting ────────────────────────────────────────────────────────────────────────────────────

const nowMs = () => Date.now();

function relative(iso) {
  if (!iso) return '—';
  const diff = Date.parse(iso) - nowMs();
  const abs = Math.abs(diff);
  const text = abs < 1000 ? 'now' : abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : `${(abs / 3_600_000).toFixed(1)} h`;
  if (text === 'now') return 'now';
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

/** A relative time that the clock tick keeps current without re-rendering its section. */
function rel(iso, prefix = '') {
  return h('span', { class: 'rel', dataset: { rel: iso ?? '', prefix } }, iso ? `${prefix}${relative(iso)}` : '—');
}

function tickRelativeTimes() {
  for (const el of document.querySelectorAll('[data-rel]')) {
    if (el.dataset.rel) el.textContent = `${el.dataset.prefix ?? ''}${relative(el.dataset.rel)}`;
  }
}

function clockTime(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—';
}

function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${Math.floor(ms / 60_000)} min${seconds ? ` ${seconds} s` : ''}`;
}

const number = (n) => (typeof n === 'number' ? n.toLocaleString() : '—');

function badge(text, kind = text) {
  return h('span', { class: `badge badge-${String(kind).replace(/[^a-zA-Z-]/g, '')}` }, text);
}

// ─── API ───────────────────────────────────────────────────────────────────────────────────────────

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) {
    askForToken('The API token was refused. Enter the current one.');
    throw new ApiError(401, 'unauthorized');
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data?.message ?? `${response.status} ${response.statusText}`);
  return data;
}

// ─── token ─────────────────────────────────────────────────────────────────────────────────────────

function askForToken(message) {
  const dialog = $('#token-dialog');
  const error = $('#token-error');
  error.hidden = !message;
  error.textContent = message ?? '';
  disconnect();
  state.token = null;
  localStorage.removeItem(TOKEN_KEY);
  if (!dialog.open) dialog.showModal();
}

$('#token-form').addEventListener('submit', () => {
  const token = new FormData($('#token-form')).get('token').trim();
  if (!token) return;
  state.token = token;
  localStorage.setItem(TOKEN_KEY, token);
  $('#token-form').reset();
  start();
});

$('#sign-out').addEventListener('click', () => askForToken(null));

// ─── the stream ────────────────────────────────────────────────────────────────────────────────────

/** The stream's URL with the token and `params` (`since`, `epoch`). */
function streamUrl(params = {}) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api/sync/stream?${new URLSearchParams({ token: state.token, ...params })}`;
}

function connect() {
  const params = new URLSearchParams();
  if (state.lastSeq !== null && state.epoch !== null) {
    params.set('since', String(state.lastSeq));
    params.set('epoch', state.epoch);
  }
  const socket = new WebSocket(streamUrl(Object.fromEntries(params)));
  state.socket = socket;
  let opened = false;
  setConnection('connecting', 'connecting…');
  socket.addEventListener('open', () => {
    opened = true;
    state.reconnects = 0;
    setConnection('live', 'live');
  });
  socket.addEventListener('message', (message) => onMessage(socket, JSON.parse(message.data)));
  socket.addEventListener('close', () => {
    if (state.socket !== socket) return;
    state.socket = null;
    // The browser hides the reason a WebSocket was refused; ask the REST API whether it is the token.
    if (!opened) api('GET', '/api/sync/status').catch(() => {});
    if (state.token) scheduleReconnect();
  });
}

function disconnect() {
  const socket = state.socket;
  state.socket = null;
  socket?.close();
}

function scheduleReconnect() {
  const delay = RECONNECT_DELAYS_MS[Math.min(state.reconnects, RECONNECT_DELAYS_MS.length - 1)];
  state.reconnects += 1;
  setConnection('reconnecting', `reconnecting in ${Math.round(delay / 100) / 10} s`);
  setTimeout(() => state.token && !state.socket && connect(), delay);
}

function setConnection(kind, text) {
  const el = $('#connection');
  el.dataset.state = kind;
  el.textContent = text;
}

function onMessage(socket, message) {
  if (message.type === 'status') {
    state.lastSeq = message.seq;
    state.epoch = message.epoch;
    state.status = message.status;
    inspector.onStatus(message);
    renderStatus();
    refreshLedgers();
    refreshHealth();
    refreshSchedules();
    return;
  }
  if (state.lastSeq !== null && message.seq !== state.lastSeq + 1) {
    // A gap means something was lost: resume from the last event seen (replay or fresh status).
    socket.close();
    return;
  }
  state.lastSeq = message.seq;
  $('#seq').textContent = `seq ${message.seq}`;
  inspector.onEvent(message);
  // The inspector's log shows the machines' steps; this feed keeps to the orchestrator's facts.
  if (message.type !== 'machine.transition') pushEvent(message);
  applyEvent(message);
}

/** Applies what an event says directly; everything else is re-read from the API (debounced). */
function applyEvent(event) {
  const status = state.status;
  if (!status) return;
  if (event.type === 'sync.progress') {
    const run = status.running.find((entry) => entry.target === event.target);
    if (run) Object.assign(run, { phase: event.phase, done: event.done, total: event.total });
    const target = status.targets.find((entry) => entry.target === event.target);
    if (target && target.state.startsWith('running.') && target.state !== 'running.pausing') target.state = `running.${event.phase}`;
    renderRunning();
    renderTargets();
    return;
  }
  if (event.type === 'orchestrator.state') {
    status.state = event.state;
    renderStatechart();
  }
  if (!PATCHED_IN_PLACE.has(event.type)) scheduleRefresh(event);
}

function scheduleRefresh(event) {
  if (LEDGER_EVENTS.has(event.type)) state.ledgerDirty = true;
  if (event.type === 'sync.completed' || event.type === 'sync.failed' || event.type === 'erp.circuit' || event.type.startsWith('account.') || event.type === 'erp.hours') state.healthDirty = true;
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => {
    state.refreshTimer = null;
    const ledgers = state.ledgerDirty;
    const health = state.healthDirty;
    state.ledgerDirty = state.healthDirty = false;
    await refreshStatus();
    if (ledgers) refreshLedgers();
    if (health) refreshHealth();
    if (event.type === 'schedule.updated') refreshSchedules();
  }, REFRESH_DEBOUNCE_MS);
}

function pushEvent(event) {
  state.events.unshift(event);
  state.events.length = Math.min(state.events.length, EVENT_FEED_LENGTH);
  renderEvents();
}

// ─── data refreshes ────────────────────────────────────────────────────────────────────────────────

async function refreshStatus() {
  try {
    state.status = await api('GET', '/api/sync/status');
    renderStatus();
  } catch (error) {
    showBanner(error);
  }
}

async function refreshLedgers() {
  try {
    const [runs, skips] = await Promise.all([api('GET', '/api/sync/runs?limit=12'), api('GET', '/api/sync/skips?limit=12')]);
    state.runs = runs.runs;
    state.skips = skips.skips;
    renderRuns();
    renderSkips();
  } catch (error) {
    showBanner(error);
  }
}

async function refreshHealth() {
  try {
    const response = await fetch('/api/health');
    state.health = await response.json();
    renderHealth();
  } catch (error) {
    showBanner(error);
  }
}

async function refreshSchedules() {
  try {
    state.schedules = (await api('GET', '/api/sync/schedule')).schedules;
    renderSchedules();
    renderTimeline();
  } catch (error) {
    showBanner(error);
  }
}

function showBanner(error) {
  if (error instanceof ApiError && error.status === 401) return;
  const banner = $('#banner');
  banner.hidden = false;
  banner.textContent = `Could not reach the API: ${error.message}`;
  clearTimeout(showBanner.timer);
  showBanner.timer = setTimeout(() => (banner.hidden = true), 8000);
}

// ─── rendering ─────────────────────────────────────────────────────────────────────────────────────

function renderStatus() {
  inspector.render();
  renderStatechart();
  renderTargets();
  renderRunning();
  renderQueue();
  renderHolds();
  renderTimeline();
  renderFreshness();
  const { status } = state;
  const cap = status.resourceGuard && status.resourceGuard.effectiveConcurrency !== status.concurrency ? `${status.resourceGuard.effectiveConcurrency} of ` : '';
  $('#subtitle').textContent = `source: ${status.source} · ${status.targets.length} targets · concurrency ${cap}${status.concurrency}${status.timeScale !== 1 ? ` · time ×${status.timeScale}` : ''}`;
}

function renderStatechart() {
  const { status } = state;
  if (!status) return;
  const active = status.state;
  const node = (region, id, label = id) => {
    const current = active[region];
    const on = current === id || current.startsWith(`${id}.`);
    return h('div', { class: `node${on ? ' active' : ''}`, dataset: { state: id } }, label);
  };
  const regions = REGIONS.map((region) =>
    h(
      'div',
      { class: 'region', dataset: { region: region.id } },
      h('div', { class: 'region-title' }, region.title),
      h(
        'div',
        { class: 'nodes' },
        region.states.map((s) =>
          typeof s === 'string'
            ? node(region.id, s)
            : h(
                'div',
                { class: `compound${active[region.id].startsWith(`${s.id}.`) ? ' active' : ''}`, dataset: { state: s.id } },
                h('div', { class: 'compound-title' }, s.id),
                h('div', { class: 'nodes' }, s.children.map((child) => node(region.id, `${s.id}.${child}`, child))),
              ),
        ),
      ),
    ),
  );
  fill('#statechart', h('div', { class: 'machine' }, h('div', { class: 'machine-title' }, 'orchestrator'), h('div', { class: 'regions' }, regions)));
  $('#statechart-meta').textContent = `dispatch ${active.dispatch} · clock ${active.clock} · erp ${active.erp}`;
}

function renderTargets() {
  const { status } = state;
  if (!status) return;
  const body = $('#targets tbody');
  const key = status.targets.map((t) => t.target).join(',');
  if (body.dataset.key !== key) {
    // Rows are built once per set of targets and then patched: a row rebuilt at every progress
    // event would swallow a click that lands between mousedown and mouseup.
    buildTargetRows(status.targets);
    body.dataset.key = key;
  }
  for (const target of status.targets) {
    const row = body.querySelector(`tr[data-target="${CSS.escape(target.target)}"]`);
    row.dataset.state = target.state;
    for (const cell of row.querySelectorAll('td.cell')) {
      const on = cell.dataset.state === target.state;
      if (cell.classList.contains('active') === on) continue;
      cell.classList.toggle('active', on);
      const def = TARGET_STATES.find((s) => s.id === cell.dataset.state);
      cell.replaceChildren(on ? h('span', { class: `chip chip-${def.id.replace('.', '-')}` }, def.label ?? def.id) : h('span', { class: 'dot' }));
    }
    const next = row.querySelector('td.next');
    const due = target.nextDueAt ?? target.retryAt;
    const prefix = target.nextDueAt ? '' : 'retry ';
    if (next.firstChild?.dataset?.rel !== (due ?? '') || next.firstChild?.dataset?.prefix !== prefix) next.replaceChildren(rel(due, prefix));
    row.querySelector('button[data-action=sync]').disabled = target.state.startsWith('running');
  }
}

function buildTargetRows(targets) {
  const head = h(
    'tr',
    {},
    h('th', {}, 'target'),
    TARGET_STATES.map((s) => h('th', { class: s.group ? 'sub' : '' }, s.label ?? s.id)),
    h('th', {}, 'next due'),
    h('th', {}, ''),
  );
  const group = h('tr', { class: 'group-row' }, h('th', {}), h('th', {}), h('th', { colspan: 5, class: 'group' }, 'running'), h('th', { colspan: 5 }));
  $('#targets thead').replaceChildren(group, head);
  const rows = targets.map((target) =>
    h(
      'tr',
      { dataset: { target: target.target } },
      h('th', { scope: 'row' }, h('span', { class: 'target-name' }, target.target)),
      TARGET_STATES.map((s) => h('td', { class: `cell${s.group ? ' sub' : ''}`, dataset: { state: s.id } }, h('span', { class: 'dot' }))),
      h('td', { class: 'next muted nowrap' }),
      h(
        'td',
        { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'sync', service: target.service, account: target.account }, onclick: () => syncNow(target.service, target.account) }, 'Sync now'),
      ),
    ),
  );
  $('#targets tbody').replaceChildren(...rows);
}

function renderRunning() {
  const { status } = state;
  if (!status) return;
  $('#running-count').textContent = String(status.running.length);
  const runs = status.running.map((run) => {
    const pct = run.total > 0 ? Math.min(100, (run.done / run.total) * 100) : 0;
    const bar = h('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.round(pct) });
    bar.style.width = `${pct}%`;
    return h(
      'div',
      { class: 'run', dataset: { target: run.target, phase: run.phase ?? '' } },
      h('div', { class: 'run-head' }, h('strong', {}, run.target), badge(run.phase ?? 'starting', 'phase'), run.probe ? badge('probe', 'warn') : null, run.pauseRequested ? badge('pausing', 'warn') : null),
      h('div', { class: 'progress' }, bar),
      h('div', { class: 'run-meta muted' }, `${number(run.done)} / ${number(run.total)}${run.total > 0 ? ` · ${pct.toFixed(0)} %` : ''} · ${run.trigger} · started `, rel(run.startedAt), run.preemptions ? ` · preempted ${run.preemptions}×` : ''),
    );
  });
  const paused = status.paused.map((entry) =>
    h('div', { class: 'run paused', dataset: { target: entry.target } }, h('div', { class: 'run-head' }, h('strong', {}, entry.target), badge('paused', 'warn')), h('div', { class: 'muted' }, `${pauseCause(entry.cause)} · since `, rel(entry.pausedAt))),
  );
  const guard = resourceGuardLine(status);
  fill('#running', [...(guard ? [guard] : []), ...(runs.length || paused.length ? [...runs, ...paused] : [empty('Nothing running.')])]);
}

/** The resource guard, while it lowers the concurrency or holds new starts: the cap and its reason. */
function resourceGuardLine(status) {
  const guard = status.resourceGuard;
  if (!guard || guard.reason === null) return null;
  const what = guard.held ? 'new starts held' : `concurrency ${guard.effectiveConcurrency} of ${status.concurrency}`;
  return h(
    'div',
    { class: 'hold hold-pause', id: 'resource-guard', dataset: { held: String(guard.held) } },
    h('div', { class: 'run-head' }, badge(guard.held ? 'held' : 'stepped down', 'warn'), h('strong', {}, what)),
    h('div', { class: 'muted' }, `${guard.reason} over its limit of ${guard.cause.limit} · steps back up once the readings stay calm`),
  );
}

function pauseCause(cause) {
  if (!cause) return '';
  if (cause.kind === 'lease') return `lease ${cause.leaseId}`;
  if (cause.kind === 'preempt') return `preempted by ${cause.by}`;
  return cause.kind === 'operator' ? 'operator pause' : 'shutdown';
}

function renderQueue() {
  const { status } = state;
  $('#queue-count').textContent = String(status.queue.length);
  const entries = status.queue.map((entry) =>
    h(
      'div',
      { class: 'queue-entry', dataset: { target: entry.target } },
      h('div', { class: 'run-head' }, h('span', { class: 'position' }, `#${entry.position}`), h('strong', {}, entry.target), h('span', { class: 'muted' }, `priority ${entry.priority} · ${entry.trigger}${entry.merges ? ` · ${entry.merges} merged` : ''}`)),
      h('div', { class: 'reasons' }, entry.reasons.map((reason) => h('span', { class: 'reason', title: reason.detail }, h('code', {}, reason.code), ' ', reason.detail))),
    ),
  );
  fill('#queue', entries.length ? entries : [empty('Queue empty.')]);
}

function renderHolds() {
  const { status } = state;
  const pause = status.operatorPause;
  fill(
    '#pause',
    pause
      ? h(
          'div',
          { class: 'hold hold-pause' },
          h('div', { class: 'run-head' }, badge('operator pause', 'warn'), h('span', { class: 'muted' }, rel(pause.since, 'since '))),
          h('div', {}, pause.reason),
          h('button', { type: 'button', class: 'btn btn-small', id: 'resume', onclick: resume }, 'Resume'),
        )
      : empty('No operator pause.'),
  );
  $('#pause-form').hidden = Boolean(pause);
  const leases = status.leases.map((lease) =>
    h(
      'div',
      { class: 'hold', dataset: { lease: lease.leaseId, status: lease.status } },
      h('div', { class: 'run-head' }, badge(lease.status, lease.status === 'active' ? 'ok' : 'warn'), h('strong', {}, lease.scope === '*' ? 'all accounts' : lease.scope), h('span', { class: 'muted' }, rel(lease.expiresAt, 'expires '))),
      h('div', {}, lease.reason),
      lease.waitingFor.length ? h('div', { class: 'muted' }, `waiting for ${lease.waitingFor.join(', ')} to pause`) : null,
      h('div', { class: 'muted small' }, `${lease.leaseId} · paused ${lease.pausedTargets.join(', ') || 'nothing'}`),
      h('button', { type: 'button', class: 'btn btn-small', dataset: { action: 'release' }, onclick: () => releaseLease(lease.leaseId) }, 'Release'),
    ),
  );
  fill('#leases', leases.length ? leases : [empty('No lease held.')]);
  const accounts = [...new Set(status.targets.map((t) => t.account))];
  const select = $('#lease-form select[name=account]');
  if (select.dataset.key === accounts.join(',')) return;
  select.dataset.key = accounts.join(',');
  const chosen = select.value;
  select.replaceChildren(h('option', { value: '' }, 'all accounts'), ...accounts.map((account) => h('option', { value: account }, account)));
  select.value = chosen;
}

function renderTimeline() {
  const { status } = state;
  if (!status) return;
  const now = nowMs();
  const periods = Object.entries(status.schedules)
    .filter(([, s]) => s.intervalMs !== null && s.enabled)
    .map(([, s]) => s.intervalMs / status.timeScale);
  const dues = status.targets.map((t) => (t.nextDueAt ? Date.parse(t.nextDueAt) - now : 0));
  // Long enough to show every timed service at least once, and the stagger between them.
  const horizon = Math.max(60_000 / status.timeScale, ...periods, ...dues.map((d) => d * 1.1));
  const x = (t) => `${Math.max(0, Math.min(100, ((t - now) / horizon) * 100))}%`;
  const ticks = [];
  for (let i = 0; i <= 6; i++) {
    const t = now + (horizon * i) / 6;
    const format = horizon < 10 * 60_000 ? { hour: '2-digit', minute: '2-digit', second: '2-digit' } : { hour: '2-digit', minute: '2-digit' };
    const tick = h('div', { class: 'tick' }, i === 0 ? 'now' : new Date(t).toLocaleTimeString([], format));
    tick.style.left = x(t);
    ticks.push(tick);
  }
  const lanes = status.targets.map((target) => {
    const schedule = status.schedules[target.service];
    const track = h('div', { class: 'track' });
    const markers = [];
    if (target.nextDueAt && schedule?.enabled) {
      const period = schedule.intervalMs === null ? null : schedule.intervalMs / status.timeScale;
      for (let t = Date.parse(target.nextDueAt), k = 0; t <= now + horizon && k < 50; k++, t = period ? t + period : Infinity) {
        const marker = h('div', { class: `marker${k === 0 ? ' next' : ''}`, title: `${target.target} ${new Date(t).toLocaleString()}` });
        marker.style.left = x(t);
        markers.push(marker);
        if (!period) break;
      }
    }
    if (target.retryAt) {
      const retry = h('div', { class: 'marker retry', title: `retry ${clockTime(target.retryAt)}` });
      retry.style.left = x(Date.parse(target.retryAt));
      markers.push(retry);
    }
    if (target.state.startsWith('running')) markers.push(h('div', { class: 'marker running', title: 'running now' }));
    track.append(...markers);
    const note =
      schedule?.intervalMs === null
        ? 'chained after its parent'
        : !schedule?.enabled
          ? 'disabled'
          : `every ${duration(schedule.intervalMs / status.timeScale)} · offset ${duration(schedule.offsetMs / status.timeScale)}`;
    return h('div', { class: 'lane', dataset: { target: target.target } }, h('div', { class: 'lane-label' }, h('strong', {}, target.target), h('span', { class: 'muted small' }, note)), track, h('div', { class: 'lane-next muted small' }, target.nextDueAt ? relative(target.nextDueAt) : '—'));
  });
  fill('#timeline', h('div', { class: 'axis' }, h('div', {}), h('div', { class: 'ticks' }, ticks), h('div', {})), lanes);
  $('#timeline-meta').textContent = `next ${duration(horizon)}`;
}

function renderSchedules() {
  $('#schedules thead').replaceChildren(h('tr', {}, ['service', 'interval', 'offset', 'enabled', 'missed', 'next due'].map((c) => h('th', {}, c))));
  $('#schedules tbody').replaceChildren(
    ...state.schedules.map((s) =>
      h(
        'tr',
        { dataset: { service: s.service } },
        h('td', {}, s.service),
        h('td', {}, s.intervalMinutes === null ? 'chained' : s.chainedAfter ? `after ${s.chainedAfter}, at least every ${s.intervalMinutes} min` : `${s.intervalMinutes} min`),
        h('td', {}, `${s.offsetMinutes} min`),
        h('td', {}, s.enabled ? 'yes' : badge('no', 'warn')),
        h('td', {}, s.missed),
        h('td', { class: 'muted' }, Object.values(s.nextDueAt).filter(Boolean).map((t) => rel(t)).flatMap((el, i) => (i ? [', ', el] : [el])).concat(Object.values(s.nextDueAt).some(Boolean) ? [] : ['—'])),
      ),
    ),
  );
  labelCells('#schedules');
  const select = $('#schedule-form select[name=service]');
  if (!select.options.length) select.replaceChildren(...state.schedules.map((s) => h('option', { value: s.service }, s.service)));
}

function renderRuns() {
  $('#runs thead').replaceChildren(
    h('tr', {}, RUN_COLUMNS.map((c) => h('th', { class: c.num ? 'num' : '', dataset: { label: c.label ?? c.name } }, c.name))),
  );
  const rows = state.runs.map((run) => {
    const took = run.finishedAt ? Date.parse(run.finishedAt) - Date.parse(run.startedAt) : null;
    const total = PHASES.reduce((sum, p) => sum + (run.phases[p] ?? 0), 0);
    const phaseBar = h(
      'div',
      { class: 'phases', title: PHASES.map((p) => `${p} ${duration(run.phases[p])}`).join(' · ') },
      PHASES.map((p) => {
        const seg = h('span', { class: `phase phase-${p}` });
        seg.style.width = `${total ? (run.phases[p] / total) * 100 : 0}%`;
        return seg;
      }),
    );
    return h(
      'tr',
      { dataset: { run: run.id } },
      h('td', {}, run.target),
      h('td', {}, run.trigger),
      h('td', { class: 'outcome-cell' }, badge(run.outcome), run.error ? h('div', { class: 'error-text small' }, `${run.error.class}: ${run.error.message}`) : null, run.flags?.length ? h('div', { class: 'muted small' }, run.flags.join(', ')) : null, driftWarning(run.stats.layoutDrift)),
      h('td', { class: 'nowrap' }, rel(run.startedAt)),
      h('td', { class: 'nowrap' }, took === null ? '…' : duration(took)),
      h('td', { class: 'num' }, number(run.stats.inserted)),
      h('td', { class: 'num' }, number(run.stats.updated)),
      h('td', { class: 'num' }, number(run.stats.unchanged)),
      h('td', { class: 'num' }, number(run.stats.deleted)),
      h('td', { class: 'phases-cell' }, phaseBar, h('div', { class: 'muted small' }, PHASES.map((p) => `${p.slice(0, 1)} ${duration(run.phases[p])}`).join(' · '))),
    );
  });
  $('#runs tbody').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 10 }, empty('No run yet.')))]));
  labelCells('#runs');
}

/**
 * A run whose export lacked columns or had unknown ones (`RunStats.layoutDrift`): the stored values of
 * the missing fields were kept, but the ERP user's column layout needs a look.
 */
function driftWarning(drift) {
  if (!drift) return null;
  const parts = [];
  if (drift.missingFields.length) parts.push(`no column for ${drift.missingFields.join(', ')} (stored values kept)`);
  if (drift.unknownColumns.length) parts.push(`unknown columns: ${drift.unknownColumns.join(', ')}`);
  return h('div', { class: 'drift-warning small', title: parts.join('; ') }, `⚠ layout drift: ${parts.join('; ')}`);
}

function renderSkips() {
  $('#skips thead').replaceChildren(h('tr', {}, ['when', 'target', 'trigger', 'reason', 'detail'].map((c) => h('th', {}, c))));
  const rows = state.skips.map((skip) => h('tr', {}, h('td', { class: 'nowrap' }, rel(skip.at)), h('td', {}, skip.target), h('td', {}, skip.trigger), h('td', {}, h('code', {}, skip.reason)), h('td', { class: 'muted wide' }, skip.detail)));
  $('#skips tbody').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5 }, empty('Nothing skipped.')))]));
  labelCells('#skips');
}

function renderHealth() {
  const health = state.health;
  if (!health) return;
  const overall = $('#overall-health');
  overall.dataset.status = health.status;
  overall.textContent = `health ${health.status}`;
  fill(
    '#health',
    h('div', { class: 'run-head' }, badge(health.status), state.status ? h('span', { class: 'muted' }, `breaker ${state.status.breaker.state}, ${state.status.breaker.failures} failure(s)${state.status.breaker.openUntil ? `, open until ${clockTime(state.status.breaker.openUntil)}` : ''}`) : null),
    state.status ? erpHoldLines(state.status) : null,
    Object.entries(health.checks).map(([name, check]) => h('div', { class: 'check', dataset: { check: name } }, badge(check.status), h('strong', {}, name), h('span', { class: 'muted' }, check.detail))),
  );
}

/** The ERP window and the accounts held by themselves (an exhausted login budget), one line each. */
function erpHoldLines(status) {
  const { erpHours, accountHolds = [] } = status;
  const lines = [];
  if (erpHours && erpHours.state !== 'unrestricted') {
    const next = erpHours.state === 'open' ? `closes ${clockTime(erpHours.until)}` : `starts held, opens ${clockTime(erpHours.until)}`;
    lines.push(h('div', { class: 'check', dataset: { check: 'erp-hours' } }, badge(erpHours.state === 'open' ? 'open' : 'closed', erpHours.state === 'open' ? 'ok' : 'degraded'), h('strong', {}, `ERP hours ${erpHours.hours} ${erpHours.timeZone}`), h('span', { class: 'muted' }, next)));
  }
  for (const hold of accountHolds) {
    lines.push(h('div', { class: 'check', dataset: { check: `account-${hold.account}` } }, badge('held', 'degraded'), h('strong', {}, `${hold.account}: login budget used up`), h('span', { class: 'muted' }, `no run starts before ${clockTime(hold.until)}`)));
  }
  return lines;
}

function renderFreshness() {
  const { status } = state;
  const rows = status.targets.map((target) => {
    const last = target.lastRun;
    const schedule = status.schedules[target.service];
    const period = schedule?.intervalMs ? schedule.intervalMs / status.timeScale : null;
    const age = last ? nowMs() - Date.parse(last.at) : null;
    const kind = !last ? 'unknown' : last.outcome === 'failed' ? 'down' : period && age > 2 * period ? 'degraded' : 'ok';
    return h('div', { class: 'check', dataset: { target: target.target } }, badge(kind === 'unknown' ? 'never' : kind, kind), h('strong', {}, target.target), h('span', { class: 'muted' }, last ? [`${last.outcome} `, rel(last.at)] : 'no run yet'), driftWarning(last?.stats?.layoutDrift));
  });
  fill('#freshness', rows);
}

function renderEvents() {
  fill(
    '#events',
    state.events.map((event) =>
      h('li', { dataset: { type: event.type } }, h('span', { class: 'seq' }, `#${event.seq}`), h('span', { class: 'etype' }, event.type), h('span', { class: 'muted' }, describeEvent(event)), h('time', { class: 'muted small' }, clockTime(event.at))),
    ),
  );
}

function describeEvent(event) {
  switch (event.type) {
    case 'sync.progress':
      return `${event.target} ${event.phase} ${event.done}/${event.total}`;
    case 'orchestrator.state':
      return `${event.state.dispatch} · ${event.state.clock} · ${event.state.erp}`;
    case 'sync.completed':
      return `${event.target} +${event.stats.inserted} ~${event.stats.updated} −${event.stats.deleted}${event.stats.layoutDrift ? ' · ⚠ layout drift' : ''}`;
    case 'sync.failed':
      return `${event.target} ${event.class}: ${event.message}`;
    case 'sync.skipped':
      return `${event.target} ${event.reason}`;
    case 'lease.acquired':
      return `${event.leaseId} after ${event.waitedMs} ms`;
    case 'lease.released':
      return `${event.leaseId} ${event.reason}`;
    case 'erp.circuit':
      return `${event.state}`;
    case 'erp.hours':
      return `${event.state}${event.until ? ` until ${clockTime(event.until)}` : ''}`;
    case 'account.held':
      return `${event.account} ${event.reason} until ${clockTime(event.until)}`;
    case 'account.released':
      return `${event.account}`;
    case 'resources.guard':
      return `${event.change}: ${event.effective} may run${event.cause ? ` (${event.cause.metric} ${Math.round(event.cause.value)} over ${event.cause.limit})` : ''}`;
    case 'schedule.updated':
      return event.service;
    default:
      return event.target ?? '';
  }
}

// ─── actions ───────────────────────────────────────────────────────────────────────────────────────

async function act(run, errorSelector = '#holds-error') {
  const error = $(errorSelector);
  error.hidden = true;
  try {
    return await run();
  } catch (caught) {
    if (caught instanceof ApiError && caught.status === 401) return undefined;
    error.hidden = false;
    error.textContent = caught.message;
    return undefined;
  }
}

// A button for one target is an explicit ask for that service: forced, so that a chained one (ddt,
// invoices, prices) runs even while its parent is pending instead of riding on the parent's changes.
function syncNow(service, account) {
  return act(() => api('POST', `/api/sync/${encodeURIComponent(service)}`, account ? { account, force: true } : { force: true }));
}

$('#sync-all').addEventListener('click', () => act(() => api('POST', '/api/sync/all', {})));
$('#sync-all-force').addEventListener('click', () => act(() => api('POST', '/api/sync/all', { force: true })));

$('#pause-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const reason = new FormData(event.target).get('reason').trim() || 'paused from the dashboard';
  act(async () => {
    await api('POST', '/api/sync/pause', { reason });
    event.target.reset();
    await refreshStatus();
  });
});

function resume() {
  return act(async () => {
    await api('POST', '/api/sync/resume');
    await refreshStatus();
  });
}

$('#lease-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const reason = form.get('reason').trim() || 'taken from the dashboard';
  const account = form.get('account');
  const ttlMinutes = Number(form.get('ttlMinutes'));
  const body = { reason, ...(account ? { account } : {}), ...(form.get('ttlMinutes') !== '' ? { ttlMs: Math.round(ttlMinutes * 60_000) } : {}) };
  const button = event.target.querySelector('button');
  button.disabled = true;
  button.textContent = 'Waiting for syncs to pause…';
  act(async () => {
    await api('POST', '/api/priority/leases', body);
    event.target.querySelector('input[name=reason]').value = '';
    await refreshStatus();
  }).finally(() => {
    button.disabled = false;
    button.textContent = 'Take lease';
  });
});

function releaseLease(leaseId) {
  return act(async () => {
    await api('DELETE', `/api/priority/leases/${encodeURIComponent(leaseId)}`);
    await refreshStatus();
  });
}

$('#schedule-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = { service: form.get('service') };
  for (const field of ['intervalMinutes', 'offsetMinutes']) {
    const raw = form.get(field);
    // Sent as typed, so that the API's own message explains a wrong value.
    if (raw !== '') body[field] = Number.isNaN(Number(raw)) ? raw : Number(raw);
  }
  if (form.get('enabled') !== '') body.enabled = form.get('enabled') === 'true';
  if (form.get('missed') !== '') body.missed = form.get('missed');
  const ok = $('#schedule-ok');
  ok.hidden = true;
  act(async () => {
    const saved = await api('POST', '/api/sync/schedule', body);
    ok.hidden = false;
    ok.textContent = `Saved: ${saved.service} every ${saved.intervalMinutes ?? '—'} min, offset ${saved.offsetMinutes} min, ${saved.enabled ? 'enabled' : 'disabled'}.`;
    await refreshSchedules();
    await refreshStatus();
  }, '#schedule-error');
});

const inspector = mountInspector({ h, api, streamUrl, clockTime, status: () => state.status });

// ─── start ─────────────────────────────────────────────────────────────────────────────────────────

function start() {
  $('#token-dialog').close();
  state.lastSeq = null;
  state.epoch = null;
  connect();
}

// Countdowns and the timeline move with the clock even when nothing happens.
setInterval(() => {
  if (!state.status) return;
  renderTimeline();
  tickRelativeTimes();
}, 1000);
setInterval(() => state.token && refreshHealth(), HEALTH_POLL_MS);

if (state.token) start();
else askForToken(null);
