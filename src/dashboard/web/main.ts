/**
 * The dashboard page: the session list, the selected session's tree, ready queue and live log, and
 * the selected task's details. It reads views the server computed and redraws them; every change
 * announced on the event stream triggers a fresh read. The address keeps the selection
 * (`#session=…&task=…`).
 */
import type { ChangeLogEntry, ChangesMessage, ClaimRequest, ClaimResponse, HelloMessage, ServerInfo, SessionSummary, SessionView, TaskDetails } from '../protocol.js';
import { ApiError, getJson, postJson, sessionPath, token } from './api.js';
import { renderDetails, type DetailsActions } from './details.js';
import { byId, el, replaceChildren } from './dom.js';
import { STATUS, STATUS_ORDER, ago, taskCount } from './format.js';
import { TreeView } from './tree.js';

/** Most log lines kept on the page. */
const LOG_LIMIT = 300;

const state = {
  info: null as ServerInfo | null,
  sessions: [] as SessionSummary[],
  sessionId: null as string | null,
  view: null as SessionView | null,
  taskId: null as string | null,
  source: null as EventSource | null,
  /** A view read is running; `stale` asks for another when it ends. */
  loading: false,
  stale: false,
  firstRender: true,
};

const tree = new TreeView(byId('tree'), { select: (id) => selectTask(id) });

const detailsActions: DetailsActions = {
  select: (id) => selectTask(id),
  nameOf: (id) => tree.nameOf(id),
};

function setConnection(status: 'connecting' | 'live' | 'reconnecting'): void {
  const node = byId('connection');
  node.dataset.state = status;
  node.textContent = status === 'live' ? 'live' : status === 'connecting' ? 'connecting…' : 'reconnecting…';
  document.body.dataset.live = status;
}

function notice(text: string | null, kind: 'error' | 'info' = 'error'): void {
  const node = byId('notice');
  node.textContent = text ?? '';
  node.dataset.kind = kind;
  node.hidden = text === null;
}

async function write(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
    notice(null);
    scheduleRefresh();
  } catch (error) {
    notice(error instanceof ApiError ? `${error.status}: ${error.message}` : String(error));
  }
}

// -------------------------------------------------------------------------------------------------
// Address

function readHash(): { session: string | null; task: string | null } {
  const params = new URLSearchParams(location.hash.slice(1));
  return { session: params.get('session'), task: params.get('task') };
}

function writeHash(): void {
  const params = new URLSearchParams();
  if (state.sessionId !== null) params.set('session', state.sessionId);
  if (state.taskId !== null) params.set('task', state.taskId);
  history.replaceState(null, '', `${location.pathname}${location.search}#${params.toString()}`);
}

// -------------------------------------------------------------------------------------------------
// Sessions

function statusBar(counts: SessionSummary['counts'], total: number): HTMLElement {
  const bar = el('div', { class: 'bar' });
  for (const status of STATUS_ORDER) {
    const n = counts[status];
    if (n === 0 || total === 0) continue;
    const part = el('span', { class: `bar-part ${STATUS[status].cls}`, title: `${n} ${STATUS[status].label}` });
    part.style.width = `${(100 * n) / total}%`;
    bar.appendChild(part);
  }
  return bar;
}

function countChips(counts: SessionSummary['counts']): HTMLElement[] {
  return STATUS_ORDER.filter((s) => counts[s] > 0).map((s) =>
    el('span', { class: `chip ${STATUS[s].cls}`, title: STATUS[s].label, data: { count: s } }, el('span', { class: 'mark', text: STATUS[s].mark }), ` ${counts[s]}`),
  );
}

function renderSessions(): void {
  const list = byId('sessions');
  if (state.sessions.length === 0) {
    replaceChildren(list, el('li', { class: 'muted empty', text: 'No sessions yet.' }));
    return;
  }
  replaceChildren(
    list,
    ...state.sessions.map((s) => {
      const item = el(
        'li',
        { class: s.id === state.sessionId ? 'session selected' : 'session', data: { sessionId: s.id }, attrs: { tabindex: '0' } },
        el('div', { class: 'session-top' }, el('span', { class: 'session-name', text: s.id }), el('span', { class: 'muted', text: ago(s.updatedAt) })),
        statusBar(s.counts, s.total),
        el('div', { class: 'session-counts' }, el('span', { class: 'total', text: taskCount(s.total) }), ...countChips(s.counts)),
        s.current === null ? null : el('div', { class: 'session-current', text: `▶ ${s.current.name}`, title: 'current task' }),
        s.error === undefined ? null : el('div', { class: 'warn-text', text: s.error }),
      );
      const open = (): void => selectSession(s.id);
      item.addEventListener('click', open);
      item.addEventListener('keydown', (e) => {
        if (e.key === 'Enter') open();
      });
      return item;
    }),
  );
}

async function loadSessions(): Promise<void> {
  state.sessions = await getJson<SessionSummary[]>('/api/sessions');
  renderSessions();
}

// -------------------------------------------------------------------------------------------------
// The selected session

function renderSessionHead(view: SessionView): void {
  const total = view.rows.length;
  document.title = `${view.sessionId} · ${view.counts.InProgress} in progress · gestura-tasks`;
  replaceChildren(
    byId('session-title'),
    el('h1', { text: view.sessionId }),
    el('span', { class: 'muted mono location', text: view.location, title: view.location }),
  );
  replaceChildren(byId('session-counts'), el('span', { class: 'total', data: { role: 'total' }, text: taskCount(total) }), ...countChips(view.counts));
}

function renderReady(view: SessionView): void {
  byId('ready-count').textContent = String(view.ready.length);
  const list = byId('ready');
  if (view.ready.length === 0) {
    replaceChildren(list, el('li', { class: 'muted empty', text: 'Nothing is ready.' }));
    return;
  }
  const shown = view.ready.slice(0, 200);
  replaceChildren(
    list,
    ...shown.map((id, i) => {
      const name = tree.nameOf(id) ?? id;
      const item = el('li', { data: { readyId: id } }, el('span', { class: 'muted rank', text: `${i + 1}.` }), el('button', { class: 'link', text: name, title: id }));
      item.addEventListener('click', () => selectTask(id));
      return item;
    }),
    view.ready.length > shown.length ? el('li', { class: 'muted', text: `…and ${view.ready.length - shown.length} more` }) : null,
  );
}

function appendLog(entries: readonly ChangeLogEntry[]): void {
  if (entries.length === 0) return;
  const log = byId('log');
  log.querySelector('.empty')?.remove();
  for (const entry of entries) {
    const time = new Date(entry.seenAt);
    const item = el(
      'li',
      { class: `log-${entry.type}`, data: entry.taskId === null ? {} : { taskId: entry.taskId } },
      el('span', { class: 'muted nowrap', text: time.toLocaleTimeString() }),
      ' ',
      el('span', { class: 'log-text', text: entry.text }),
    );
    if (entry.taskId !== null) item.addEventListener('click', () => selectTask(entry.taskId as string));
    log.prepend(item);
  }
  while (log.childElementCount > LOG_LIMIT) log.lastElementChild?.remove();
}

async function loadView(reset: boolean, prefetched?: SessionView): Promise<void> {
  const sessionId = state.sessionId;
  if (sessionId === null) return;
  const view = prefetched?.sessionId === sessionId ? prefetched : await getJson<SessionView>(sessionPath(sessionId));
  if (state.sessionId !== sessionId) return;
  state.view = view;
  renderSessionHead(view);
  tree.setView(view, reset);
  renderReady(view);
  // A live refresh keeps the reader's scroll position; only a freshly opened session jumps to the task.
  tree.select(state.taskId, reset);
  byId('tree-empty').hidden = view.rows.length > 0;
  if (state.firstRender) {
    state.firstRender = false;
    performance.mark('gestura-first-render');
    document.body.dataset.rendered = 'true';
  }
  document.body.dataset.viewVersion = String(Number(document.body.dataset.viewVersion ?? '0') + 1);
  await loadDetails();
}

async function loadDetails(): Promise<void> {
  const panel = byId('details');
  if (state.sessionId === null || state.taskId === null) {
    renderDetails(panel, null, detailsActions);
    return;
  }
  try {
    const details = await getJson<TaskDetails>(sessionPath(state.sessionId, 'tasks', state.taskId));
    renderDetails(panel, details, detailsActions);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      renderDetails(panel, null, detailsActions);
      panel.prepend(el('p', { class: 'warn-text', text: `Task ${state.taskId} no longer exists.` }));
    } else throw error;
  }
}

/** Reads the view again, at most one read at a time (changes during a read cause one more). */
function scheduleRefresh(): void {
  if (state.loading) {
    state.stale = true;
    return;
  }
  state.loading = true;
  state.stale = false;
  loadView(false)
    .catch((error: unknown) => notice(`could not refresh: ${String(error)}`))
    .finally(() => {
      state.loading = false;
      if (state.stale) scheduleRefresh();
    });
}

function selectTask(id: string): void {
  state.taskId = id;
  writeHash();
  tree.select(id);
  loadDetails().catch((error: unknown) => notice(String(error)));
}

function selectSession(id: string, taskId: string | null = null, prefetched?: SessionView): void {
  if (state.sessionId === id) return;
  state.sessionId = id;
  state.taskId = taskId;
  state.view = null;
  writeHash();
  renderSessions();
  replaceChildren(byId('log'), el('li', { class: 'muted empty', text: 'Changes appear here as they happen.' }));
  connect();
  state.loading = true;
  loadView(true, prefetched)
    .catch((error: unknown) => notice(String(error)))
    .finally(() => {
      state.loading = false;
      if (state.stale) scheduleRefresh();
    });
}

// -------------------------------------------------------------------------------------------------
// Live updates

function connect(): void {
  state.source?.close();
  const params = new URLSearchParams();
  if (state.sessionId !== null) params.set('session', state.sessionId);
  const source = new EventSource(`/api/events?${params.toString()}`);
  state.source = source;
  setConnection('connecting');
  source.addEventListener('hello', (event) => {
    const hello = JSON.parse((event as MessageEvent<string>).data) as HelloMessage;
    setConnection('live');
    notice(null);
    appendLog(hello.missed);
    // (Re)connected: catch up with everything that happened meanwhile.
    loadSessions().catch(() => undefined);
    scheduleRefresh();
  });
  source.addEventListener('changes', (event) => {
    const message = JSON.parse((event as MessageEvent<string>).data) as ChangesMessage;
    if (message.sessionId !== state.sessionId) return;
    appendLog(message.entries);
    tree.flash(message.entries.flatMap((e) => (e.taskId === null ? [] : [e.taskId])));
    scheduleRefresh();
  });
  source.addEventListener('sessions', (event) => {
    state.sessions = JSON.parse((event as MessageEvent<string>).data) as SessionSummary[];
    renderSessions();
    // The first session to appear in an empty directory opens by itself.
    const first = state.sessions[0];
    if (state.sessionId === null && first !== undefined) selectSession(first.id);
  });
  source.addEventListener('problem', (event) => {
    notice((JSON.parse((event as MessageEvent<string>).data) as { message: string }).message);
  });
  source.addEventListener('error', () => {
    if (state.source !== source) return;
    setConnection('reconnecting');
    // The browser retries by itself unless the stream was refused; then try again ourselves.
    if (source.readyState === EventSource.CLOSED) setTimeout(() => state.source === source && connect(), 1000);
  });
}

// -------------------------------------------------------------------------------------------------
// Controls

function setupControls(): void {
  const filter = byId<HTMLInputElement>('filter');
  const statusFilter = byId<HTMLSelectElement>('status-filter');
  for (const status of STATUS_ORDER) statusFilter.appendChild(el('option', { text: STATUS[status].label, attrs: { value: status } }));
  const apply = (): void => tree.setFilter({ text: filter.value, status: statusFilter.value === '' ? null : statusFilter.value });
  filter.addEventListener('input', apply);
  statusFilter.addEventListener('change', apply);
  byId('collapse-all').addEventListener('click', () => tree.collapseAll(true));
  byId('expand-all').addEventListener('click', () => tree.collapseAll(false));

  const writable = token !== null && state.info?.writable === true;
  byId('mode').textContent = state.info?.writable === true ? (token === null ? 'writes need the token' : 'writes on') : 'read-only';
  byId('mode').dataset.mode = writable ? 'write' : 'read';
  const addForm = byId<HTMLFormElement>('add-form');
  const claimForm = byId<HTMLFormElement>('claim-form');
  addForm.hidden = !writable;
  claimForm.hidden = !writable;
  if (!writable) return;
  detailsActions.setStatus = async (taskId, status) => {
    if (state.sessionId === null) return;
    await write(() => postJson(sessionPath(state.sessionId as string, 'tasks', taskId, 'status'), { status }));
  };
  addForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = byId<HTMLInputElement>('add-name');
    const underSelected = byId<HTMLInputElement>('add-under').checked;
    if (state.sessionId === null || name.value.trim() === '') return;
    const body = { name: name.value, parentId: underSelected ? state.taskId : null };
    void write(() => postJson(sessionPath(state.sessionId as string, 'tasks'), body)).then(() => (name.value = ''));
  });
  claimForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const agent = byId<HTMLInputElement>('claim-agent').value.trim();
    const lease = byId<HTMLInputElement>('claim-lease').value.trim();
    if (state.sessionId === null || agent === '') return;
    void write(async () => {
      const body: ClaimRequest = lease === '' ? { agentId: agent } : { agentId: agent, lease };
      const claimed = await postJson<ClaimResponse>(sessionPath(state.sessionId as string, 'claim'), body);
      if (claimed.id === null) notice('Nothing ready to claim.', 'info');
      else selectTask(claimed.id);
    });
  });
}

async function start(): Promise<void> {
  setConnection('connecting');
  const wanted = readHash();
  // The session named in the address is read at once, alongside the server info and session list.
  const early = wanted.session === null ? null : getJson<SessionView>(sessionPath(wanted.session)).catch(() => null);
  const [info] = await Promise.all([getJson<ServerInfo>('/api/info'), loadSessions()]);
  state.info = info;
  byId('version').textContent = `v${info.version}`;
  setupControls();
  const first = wanted.session ?? state.sessions[0]?.id ?? null;
  if (first === null) {
    replaceChildren(
      byId('session-title'),
      el('h1', { text: 'No sessions yet' }),
      el('span', { class: 'muted', text: `The first session written under ${info.location} opens here by itself.` }),
    );
    connect();
    renderDetails(byId('details'), null, detailsActions);
    document.body.dataset.rendered = 'true';
    return;
  }
  selectSession(first, wanted.session === first ? wanted.task : null, (await early) ?? undefined);
}

setInterval(renderSessions, 30_000); // keep the "n min ago" labels fresh
start().catch((error: unknown) => notice(`The dashboard could not start: ${String(error)}`));
