/** The details panel of the selected task: everything the server computed about it. */
import type { EvidenceView, HistoryItem, MemoryEventView, TaskDetails } from '../protocol.js';
import { el, replaceChildren, type Child } from './dom.js';
import { STATUS, STATUS_CHOICES, requirementLabel, when } from './format.js';

/** What the panel asks of the page. */
export interface DetailsActions {
  /** Present only when the server accepts writes and the page has the token. */
  setStatus?: (taskId: string, status: string) => Promise<void>;
  select(taskId: string): void;
  /** The name of a task of the session, when known. */
  nameOf(taskId: string): string | undefined;
}

function section(title: string, ...children: Child[]): HTMLElement {
  return el('section', { class: 'detail-section' }, el('h3', { text: title }), ...children);
}

function fact(label: string, value: Child): HTMLElement[] {
  return [el('dt', { text: label }), el('dd', {}, value ?? '–')];
}

function taskLink(id: string, label: string, actions: DetailsActions): HTMLElement {
  const link = el('button', { class: 'link', text: label, title: id });
  link.addEventListener('click', () => actions.select(id));
  return link;
}

function evidenceList(evidence: readonly EvidenceView[]): HTMLElement {
  if (evidence.length === 0) return el('p', { class: 'muted', text: 'No evidence recorded.' });
  // Newest first: the last entries decide what an agent is doing now.
  return el(
    'ol',
    { class: 'evidence' },
    ...[...evidence].reverse().map((e) =>
      el(
        'li',
        { class: e.success ? 'ok' : 'failed', data: { evidenceKind: e.kind } },
        el(
          'div',
          { class: 'evidence-head' },
          el('span', { class: 'outcome', text: e.success ? '✓' : '✗', title: e.success ? 'succeeded' : 'failed' }),
          el('span', { class: 'kind', text: e.kind }),
          e.toolName === null ? null : el('span', { class: 'badge mono', text: e.toolName, title: 'tool' }),
          e.command === null ? null : el('code', { class: 'command', text: e.command, title: 'command' }),
          el('span', { class: 'muted nowrap when', text: when(e.recordedAt) }),
        ),
        el('div', { class: 'evidence-summary', text: e.summary }),
      ),
    ),
  );
}

function memoryList(events: readonly MemoryEventView[]): HTMLElement {
  return el(
    'ul',
    { class: 'memory' },
    ...events.map((m) =>
      el(
        'li',
        {},
        el('span', { class: 'badge', text: m.phase }),
        ' ',
        m.summary,
        m.memoryFilePath === null ? null : el('span', { class: 'mono muted', text: `  ${m.memoryFilePath}` }),
        el('span', { class: 'muted nowrap', text: `  ${when(m.recordedAt)}` }),
      ),
    ),
  );
}

/** The task's history, newest first: when, who, what (all inserted as text). */
function historyList(items: readonly HistoryItem[], more: boolean): HTMLElement {
  if (items.length === 0) return el('p', { class: 'muted', text: 'No history recorded yet.' });
  return el(
    'ol',
    { class: 'history', data: { role: 'history' } },
    ...items.map((h) =>
      el(
        'li',
        { data: { historyType: h.type, seq: String(h.seq) } },
        el('span', { class: 'muted nowrap when', text: when(h.time), title: h.time }),
        ' ',
        el('span', { class: 'badge mono', text: h.actor ?? '–', title: 'who' }),
        ' ',
        el('span', { class: 'history-text', text: h.text }),
        el('span', { class: 'muted', text: `  ${h.operation}` }),
      ),
    ),
    more ? el('li', { class: 'muted', text: '… older entries not shown (gestura-tasks history <task> shows more)' }) : null,
  );
}

function statusControl(task: TaskDetails, actions: DetailsActions): HTMLElement | null {
  const setStatus = actions.setStatus;
  if (setStatus === undefined) return null;
  const select = el('select', { attrs: { 'aria-label': 'new status' }, data: { role: 'status-select' } });
  for (const [status, value] of STATUS_CHOICES) {
    const option = el('option', { text: STATUS[status].label, attrs: { value } });
    if (status === task.status) option.selected = true;
    select.appendChild(option);
  }
  const button = el('button', { class: 'button', text: 'Set status', data: { role: 'status-apply' } });
  button.addEventListener('click', () => {
    button.disabled = true;
    void setStatus(task.id, select.value).finally(() => (button.disabled = false));
  });
  return el('div', { class: 'status-control' }, select, button);
}

/** Draws `task` into `panel` (null: the empty state). */
export function renderDetails(panel: HTMLElement, task: TaskDetails | null, actions: DetailsActions): void {
  if (task === null) {
    replaceChildren(panel, el('p', { class: 'muted empty', text: 'Select a task to see its details, evidence and history.' }));
    return;
  }
  const status = STATUS[task.status];
  const v = task.verification;
  const header = el(
    'header',
    { class: 'detail-head' },
    el('div', { class: `detail-status ${status.cls}` }, el('span', { class: 'mark', text: status.mark }), ` ${status.label}`),
    el('h2', { class: 'detail-name', text: task.name, data: { role: 'detail-name' } }),
    el('div', { class: 'mono muted', text: task.id }),
    statusControl(task, actions),
  );
  const flags: HTMLElement[] = [];
  if (task.current) flags.push(el('span', { class: 'badge badge-current', text: 'current task' }));
  if (task.ready) flags.push(el('span', { class: 'badge badge-ready', text: 'ready' }));
  if (task.blocked) flags.push(el('span', { class: 'badge badge-waits', text: 'waiting on dependencies' }));
  const completion =
    task.completionBlocker === null
      ? el('p', { class: 'ok-text', text: '✓ may be completed now' })
      : el('p', { class: 'warn-text', text: task.completionBlocker });
  replaceChildren(
    panel,
    header,
    flags.length > 0 ? el('div', { class: 'flags' }, ...flags) : null,
    task.description === '' ? null : el('p', { class: 'description', text: task.description }),
    el(
      'dl',
      { class: 'facts' },
      ...fact('agent', task.agentId),
      ...fact(
        'claim',
        task.claim === null
          ? null
          : el('span', {
              class: task.claim.expired ? 'warn-text' : '',
              text: `${task.claim.label} (${task.claim.expired ? 'expired' : 'until'} ${task.claim.expiresAt})`,
              data: { role: 'claim' },
            }),
      ),
      ...fact('source', task.source),
      ...fact('parent', task.parentId === null ? null : taskLink(task.parentId, actions.nameOf(task.parentId) ?? task.parentId, actions)),
      ...fact('phase', task.phase),
      ...fact('sort order', String(task.sortOrder)),
      ...fact('orchestrator', task.orchestratorTaskId),
      ...fact('created', when(task.createdAt)),
      ...fact('updated', when(task.updatedAt)),
    ),
    section('Completion', completion),
    task.waitsFor.length === 0
      ? null
      : section(
          'Waits for',
          el(
            'ul',
            { class: 'deps' },
            ...task.waitsFor.map((d) =>
              el(
                'li',
                { class: d.done ? 'dep-done' : 'dep-open' },
                el('span', { class: `mark ${d.status === null ? '' : STATUS[d.status].cls}`, text: d.status === null ? '?' : STATUS[d.status].mark }),
                ' ',
                d.name === null ? el('span', { class: 'warn-text', text: `missing task ${d.id}` }) : taskLink(d.id, d.name, actions),
              ),
            ),
          ),
        ),
    task.job === null
      ? null
      : section(
          'Background job',
          el(
            'p',
            {},
            el('span', { class: task.job.active ? 'badge badge-job-active' : 'badge badge-job', text: task.job.status }),
            task.job.jobId === null ? null : el('span', { class: 'mono muted', text: `  ${task.job.jobId}` }),
          ),
          task.job.message === null ? null : el('p', { text: task.job.message }),
        ),
    section(
      'Verification',
      v === null
        ? el('p', { class: 'muted', text: 'No execution state recorded.' })
        : el(
            'div',
            { data: { role: 'verification' } },
            el(
              'p',
              {},
              el('span', { class: 'badge', text: v.executionKind }),
              ' requires ',
              v.requires.length === 0 ? 'any tool activity' : v.requires.map(requirementLabel).join(', '),
            ),
            v.satisfied
              ? el('p', { class: 'ok-text', text: '✓ the evidence meets the profile' })
              : el('p', { class: 'warn-text', text: `missing: ${v.missing.map(requirementLabel).join(', ')}` }),
            v.lastRuntimeNote === null ? null : el('p', { class: 'muted', text: v.lastRuntimeNote }),
          ),
    ),
    v === null ? null : section(`Evidence (${v.evidence.length})`, evidenceList(v.evidence)),
    task.memory.length === 0 ? null : section(`Memory (${task.memory.length})`, memoryList(task.memory)),
    task.history === null ? null : section('History', historyList(task.history, task.historyMore)),
    task.metadataJson === null ? null : section('Metadata', el('pre', { class: 'metadata', text: task.metadataJson })),
  );
}
