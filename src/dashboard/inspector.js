// The dashboard's own statechart inspector: it needs nothing but this service (no hosted inspector, no
// internet). It draws the root's or a target's machine from GET /api/machines, highlights the active
// states (live from the status, or as of a logged step), and keeps a log of `machine.transition` events
// from the stream: event, states before → after, and the guards and reasons that decided. The log can be
// paused, and replayed from the stream's history (`?since=`).

/** What the stream's replay ring holds by default (`replayCapacity`); older history is gone. */
const REPLAY_WINDOW = 2000;
/** Steps of the log kept in the page, all machines together. */
const LOG_LENGTH = 1000;
/** Rows shown for the selected machine. */
const ROWS_SHOWN = 60;
/** Pace of a replay, one step at a time. */
const REPLAY_STEP_MS = 700;
const ROOT = 'orchestrator';

/**
 * Mounts the inspector in `#inspector-card`.
 * @param deps `h` (element builder), `api(method, path)`, `streamUrl(params)`, `clockTime(iso)`, `status()` (the
 *   last status, or null).
 */
export function mountInspector(deps) {
  const { h, api, streamUrl, clockTime } = deps;
  const $ = (selector) => document.querySelector(selector);
  const state = {
    machines: null,
    actor: ROOT,
    log: [],
    /** Live, or frozen (paused by the operator, a clicked step, or a replay). */
    frozen: false,
    unseen: 0,
    /** The step whose states the chart shows when frozen (null: the states when frozen). */
    selected: null,
    frozenActive: null,
    replayTimer: null,
    epoch: null,
    lastSeq: null,
  };

  $('#inspector-actor').addEventListener('change', (event) => {
    state.actor = event.target.value;
    state.selected = null;
    stopReplay();
    render();
  });
  $('#inspector-pause').addEventListener('click', () => (state.frozen ? goLive() : freeze()));
  $('#inspector-replay').addEventListener('click', () => replay());

  async function load() {
    if (state.machines) return;
    try {
      state.machines = await api('GET', '/api/machines');
      render();
    } catch (error) {
      note(`Could not read the machines: ${error.message}`);
    }
  }

  function note(text) {
    $('#inspector-note').textContent = text;
  }

  /** A fresh status (on connect): the actors to choose from, and the live states. */
  function onStatus(message) {
    state.epoch = message.epoch;
    state.lastSeq = message.seq;
    load();
    const select = $('#inspector-actor');
    const actors = [ROOT, ...message.status.targets.map((t) => `target:${t.target}`)];
    if (select.dataset.key !== actors.join(',')) {
      select.dataset.key = actors.join(',');
      select.replaceChildren(...actors.map((actor) => h('option', { value: actor }, actor === ROOT ? 'orchestrator (root)' : actor)));
      select.value = actors.includes(state.actor) ? state.actor : ROOT;
      state.actor = select.value;
    }
    render();
  }

  function onEvent(event) {
    state.lastSeq = event.seq;
    if (event.type !== 'machine.transition') {
      if (!state.frozen && event.type === 'orchestrator.state') render();
      return;
    }
    remember([event]);
    if (state.frozen) {
      if (event.actor === state.actor) state.unseen += 1;
      renderBar();
      return;
    }
    render();
  }

  function remember(events) {
    const known = new Set(state.log.map((e) => e.seq));
    for (const event of events) if (!known.has(event.seq)) state.log.push(event);
    state.log.sort((a, b) => a.seq - b.seq);
    if (state.log.length > LOG_LENGTH) state.log.splice(0, state.log.length - LOG_LENGTH);
  }

  function freeze(selected = state.selected) {
    if (!state.frozen) state.frozenActive = liveActive();
    state.frozen = true;
    state.selected = selected;
    render();
  }

  function goLive() {
    stopReplay();
    state.frozen = false;
    state.selected = null;
    state.unseen = 0;
    render();
  }

  function stopReplay() {
    clearTimeout(state.replayTimer);
    state.replayTimer = null;
  }

  /** Reads the stream's history into the log, then steps through the selected machine's part of it. */
  async function replay() {
    stopReplay();
    if (state.lastSeq === null || state.epoch === null) return;
    const upTo = state.lastSeq;
    const since = Math.max(0, upTo - REPLAY_WINDOW);
    note('reading the stream’s history…');
    let history;
    try {
      history = await readHistory(since, upTo);
    } catch (error) {
      note(error.message);
      return;
    }
    remember(history.filter((e) => e.type === 'machine.transition'));
    const steps = mine();
    if (steps.length === 0) {
      note('The stream’s history holds no step of this machine.');
      return;
    }
    note(`replaying ${steps.length} step(s) from #${steps[0].seq}`);
    let i = 0;
    const next = () => {
      freeze(steps[i].seq);
      i += 1;
      state.replayTimer = i < steps.length ? setTimeout(next, REPLAY_STEP_MS) : null;
      if (i >= steps.length) note(`replayed ${steps.length} step(s); paused at the last one`);
    };
    next();
  }

  /** The events after `since` up to `upTo`, from a second connection to the stream. */
  function readHistory(since, upTo) {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(streamUrl({ since: String(since), epoch: state.epoch }));
      const events = [];
      const finish = (error) => {
        socket.close();
        if (error) reject(error);
        else resolve(events);
      };
      socket.addEventListener('message', (message) => {
        const data = JSON.parse(message.data);
        if (data.type === 'status') {
          // The ring no longer holds that far back (or the server restarted): nothing to replay from.
          if (data.seq > since) finish(new Error('The stream no longer holds this history (restart, or more than its replay window since).'));
          else finish();
          return;
        }
        if (data.seq <= upTo) events.push(data);
        if (data.seq >= upTo) finish();
      });
      socket.addEventListener('error', () => finish(new Error('The stream could not be read.')));
    });
  }

  /** The selected machine's logged steps, oldest first. */
  function mine() {
    return state.log.filter((e) => e.actor === state.actor);
  }

  /** Active atomic states of the selected machine now, from the last status. */
  function liveActive() {
    const status = deps.status();
    if (!status) return [];
    if (state.actor === ROOT) return Object.entries(status.state).map(([region, value]) => `${region}.${value}`);
    const target = status.targets.find((t) => `target:${t.target}` === state.actor);
    return target ? [target.state] : [];
  }

  function shownActive() {
    if (!state.frozen) return liveActive();
    const step = state.log.find((e) => e.seq === state.selected);
    return step ? step.to : state.frozenActive ?? [];
  }

  function render() {
    renderBar();
    renderChart();
    renderLog();
  }

  function renderBar() {
    const pause = $('#inspector-pause');
    pause.textContent = state.frozen ? 'Back to live' : 'Pause';
    pause.dataset.frozen = String(state.frozen);
    const meta = $('#inspector-meta');
    meta.textContent = state.frozen ? `paused${state.selected !== null ? ` · as of #${state.selected}` : ''}${state.unseen ? ` · ${state.unseen} new` : ''}` : 'live';
    meta.dataset.mode = state.frozen ? 'paused' : 'live';
  }

  function renderChart() {
    const chart = $('#inspector-chart');
    if (!state.machines) return chart.replaceChildren(h('p', { class: 'empty' }, 'Loading the machines…'));
    const machine = state.actor === ROOT ? state.machines.root : state.machines.target;
    const active = shownActive();
    const isActive = (path) => path === '' || active.some((leaf) => leaf === path || leaf.startsWith(`${path}.`));
    const node = (n) => {
      const children = n.children.map(node);
      const title = [n.description, ...n.on.map((t) => `on ${t.event || '(always)'}${t.guard ? ` [${t.guard}]` : ''}${t.targets.length ? ` → ${t.targets.join(', ')}` : ''}`)].filter(Boolean).join('\n');
      return h(
        'div',
        { class: `istate istate-${n.type}${isActive(n.path) ? ' active' : ''}`, dataset: { path: n.path }, title },
        h('div', { class: 'istate-name' }, n.path === '' ? `${machine.id}${state.actor === ROOT ? '' : ` · ${state.actor.slice('target:'.length)}`}` : n.key, n.initial ? h('span', { class: 'muted small' }, ` → ${n.initial}`) : null),
        children.length ? h('div', { class: `istate-children${n.type === 'parallel' ? ' parallel' : ''}` }, children) : null,
      );
    };
    chart.replaceChildren(node(machine.tree));
  }

  function renderLog() {
    const steps = mine().slice(-ROWS_SHOWN).reverse();
    const rows = steps.map((step) => {
      const gone = step.from.filter((p) => !step.to.includes(p));
      const came = step.to.filter((p) => !step.from.includes(p));
      const change = came.length ? `${gone.join(', ')} → ${came.join(', ')}` : 'no state change';
      const guards = [...new Set(step.steps.map((s) => s.guard).filter(Boolean))];
      return h(
        'tr',
        { dataset: { seq: step.seq, event: step.event }, class: step.seq === state.selected ? 'selected' : '', onclick: () => freeze(step.seq) },
        h('td', { class: 'muted nowrap' }, `#${step.seq}`),
        h('td', { class: 'muted nowrap' }, clockTime(step.at)),
        h('td', {}, h('code', {}, step.event), step.subject ? h('div', { class: 'muted small' }, step.subject) : null),
        h('td', { class: 'change' }, change),
        h('td', { class: 'decided' }, h('div', { class: 'decided-list' }, guards.map((g) => h('code', { class: 'guard' }, g)), step.reasons.map((r) => h('span', { class: 'badge' }, r)), guards.length || step.reasons.length ? null : h('span', { class: 'muted' }, '—'))),
      );
    });
    $('#inspector-log tbody').replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 5 }, h('p', { class: 'empty' }, 'No step of this machine yet: it moves when a sync runs (or replay the history).')))]));
    const names = ['step', 'time', 'event', 'states before → after', 'decided by'];
    for (const row of document.querySelectorAll('#inspector-log tbody tr')) Array.from(row.cells).forEach((cell, i) => (cell.dataset.label = names[i]));
  }

  return { onStatus, onEvent, render: () => !state.frozen && render() };
}
