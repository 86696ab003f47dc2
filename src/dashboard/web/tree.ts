/**
 * The task tree, windowed: only the rows in (or near) the visible part of the scroll area are in
 * the DOM, so a session of 10,000 tasks draws as fast as one of 40. Rows come from the server in
 * tree order with their depth and subtree size; collapsing a row skips its subtree. Every drawn row
 * has `data-task-id` and `data-status`.
 */
import type { SessionView, TaskRow } from '../protocol.js';
import { el, replaceChildren } from './dom.js';
import { STATUS } from './format.js';

/** Height of one row in pixels (kept in step with `.row` in app.css). */
export const ROW_HEIGHT = 30;
/** Rows drawn beyond each edge of the visible area. */
const OVERSCAN = 12;

/** What the tree reports to the page. */
export interface TreeEvents {
  select(taskId: string): void;
}

/** The filter applied to the rows. */
export interface TreeFilter {
  readonly text: string;
  readonly status: string | null;
}

export class TreeView {
  readonly #scroll: HTMLElement;
  readonly #spacer: HTMLElement;
  readonly #events: TreeEvents;
  readonly #collapsed = new Set<string>();
  /** Rows changed recently, with when, for a short highlight. */
  readonly #flash = new Map<string, number>();
  #view: SessionView | null = null;
  #names = new Map<string, string>();
  /** Indices into the view's rows of the rows shown (collapsed subtrees and filtered rows left out). */
  #visible: number[] = [];
  #drawn = new Map<string, { row: TaskRow; node: HTMLElement; top: number; selected: boolean; flash: boolean }>();
  #selected: string | null = null;
  #filter: TreeFilter = { text: '', status: null };
  #frame = 0;

  constructor(scroll: HTMLElement, events: TreeEvents) {
    this.#scroll = scroll;
    this.#events = events;
    this.#spacer = el('div', { class: 'tree-spacer' });
    replaceChildren(scroll, this.#spacer);
    scroll.addEventListener('scroll', () => this.#schedule());
    new ResizeObserver(() => this.#schedule()).observe(scroll);
    scroll.addEventListener('click', (event) => this.#onClick(event));
    scroll.addEventListener('keydown', (event) => this.#onKey(event));
  }

  /** Shows `view` (a fresh one after every change), keeping scroll, collapsed rows and selection. */
  setView(view: SessionView, resetState: boolean): void {
    if (resetState) {
      this.#collapsed.clear();
      this.#flash.clear();
      this.#selected = null;
      this.#scroll.scrollTop = 0;
    }
    this.#view = view;
    this.#names = new Map(view.rows.map((r) => [r.id, r.name]));
    this.#clearDrawn();
    this.#recompute();
    this.draw();
  }

  /** The name of task `id` in the current view. */
  nameOf(id: string): string | undefined {
    return this.#names.get(id);
  }

  /** Highlights `ids` briefly (they just changed). */
  flash(ids: Iterable<string>): void {
    const now = performance.now();
    for (const id of ids) this.#flash.set(id, now);
    setTimeout(() => this.#schedule(), 2100);
  }

  setFilter(filter: TreeFilter): void {
    this.#filter = filter;
    this.#recompute();
    this.#scroll.scrollTop = 0;
    this.draw();
  }

  /** Marks `id` selected; with `reveal`, expands its ancestors and scrolls it into view. */
  select(id: string | null, reveal = true): void {
    this.#selected = id;
    if (id !== null && reveal) this.#reveal(id);
    this.draw();
  }

  /** Number of rows shown (after collapsing and filtering). */
  get shownCount(): number {
    return this.#visible.length;
  }

  /** Collapses every subtree below the top level (true) or expands all (false). */
  collapseAll(collapse: boolean): void {
    this.#collapsed.clear();
    if (collapse && this.#view !== null) for (const row of this.#view.rows) if (row.subtree > 0) this.#collapsed.add(row.id);
    this.#recompute();
    this.draw();
  }

  #clearDrawn(): void {
    for (const { node } of this.#drawn.values()) node.remove();
    this.#drawn.clear();
  }

  #recompute(): void {
    const rows = this.#view?.rows ?? [];
    const text = this.#filter.text.trim().toLowerCase();
    const status = this.#filter.status;
    const visible: number[] = [];
    if (text === '' && status === null) {
      for (let i = 0; i < rows.length; i++) {
        visible.push(i);
        const row = rows[i] as TaskRow;
        if (row.subtree > 0 && this.#collapsed.has(row.id)) i += row.subtree;
      }
    } else {
      // Matching rows, with their ancestors for context; collapsing is ignored while filtering.
      const keep = new Uint8Array(rows.length);
      const path: number[] = [];
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as TaskRow;
        path.length = row.depth;
        path.push(i);
        const matches =
          (status === null || row.status === status) &&
          (text === '' || row.name.toLowerCase().includes(text) || row.id.toLowerCase().includes(text) || (row.agentId ?? '').toLowerCase().includes(text));
        if (matches) for (const p of path) keep[p] = 1;
      }
      for (let i = 0; i < rows.length; i++) if (keep[i] === 1) visible.push(i);
    }
    this.#visible = visible;
    this.#spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
  }

  #reveal(id: string): void {
    const rows = this.#view?.rows ?? [];
    const index = rows.findIndex((r) => r.id === id);
    if (index === -1) return;
    // Expand the ancestors: the nearest earlier row of each smaller depth.
    let depth = (rows[index] as TaskRow).depth;
    for (let i = index - 1; i >= 0 && depth > 0; i--) {
      const row = rows[i] as TaskRow;
      if (row.depth < depth) {
        this.#collapsed.delete(row.id);
        depth = row.depth;
      }
    }
    this.#recompute();
    const position = this.#visible.indexOf(index);
    if (position === -1) return;
    const top = position * ROW_HEIGHT;
    const view = this.#scroll;
    if (top < view.scrollTop || top + ROW_HEIGHT > view.scrollTop + view.clientHeight) {
      view.scrollTop = Math.max(0, top - view.clientHeight / 3);
    }
  }

  #schedule(): void {
    if (this.#frame !== 0) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.draw();
    });
  }

  /** Draws the rows in the visible window. O(rows on screen). */
  draw(): void {
    const view = this.#view;
    if (view === null) return;
    const first = Math.max(0, Math.floor(this.#scroll.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil((this.#scroll.clientHeight || 800) / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(this.#visible.length, first + count);
    const now = performance.now();
    const wanted = new Set<string>();
    for (let p = first; p < last; p++) {
      const index = this.#visible[p] as number;
      const row = view.rows[index] as TaskRow;
      wanted.add(row.id);
      const top = p * ROW_HEIGHT;
      const selected = row.id === this.#selected;
      const flashedAt = this.#flash.get(row.id);
      const flash = flashedAt !== undefined && now - flashedAt < 2000;
      if (flashedAt !== undefined && !flash) this.#flash.delete(row.id);
      const drawn = this.#drawn.get(row.id);
      if (drawn !== undefined && drawn.row === row && drawn.selected === selected && drawn.flash === flash) {
        if (drawn.top !== top) {
          drawn.node.style.transform = `translateY(${top}px)`;
          drawn.top = top;
        }
        continue;
      }
      const node = this.#rowNode(row, view, selected, flash);
      node.style.transform = `translateY(${top}px)`;
      if (drawn !== undefined) drawn.node.replaceWith(node);
      else this.#scroll.appendChild(node);
      this.#drawn.set(row.id, { row, node, top, selected, flash });
    }
    for (const [id, drawn] of this.#drawn) {
      if (!wanted.has(id)) {
        drawn.node.remove();
        this.#drawn.delete(id);
      }
    }
  }

  #rowNode(row: TaskRow, view: SessionView, selected: boolean, flash: boolean): HTMLElement {
    const status = STATUS[row.status];
    const classes = ['row', status.cls];
    if (selected) classes.push('selected');
    if (row.id === view.currentTaskId) classes.push('current');
    if (flash) classes.push('flash');
    const collapsed = this.#collapsed.has(row.id);
    const toggle =
      row.subtree > 0
        ? el('button', {
            class: 'toggle',
            text: collapsed ? '▸' : '▾',
            title: collapsed ? `expand (${row.subtree} below)` : 'collapse',
            attrs: { 'aria-label': collapsed ? 'expand' : 'collapse', tabindex: '-1' },
            data: { toggle: row.id },
          })
        : el('span', { class: 'toggle-space' });
    const badges: HTMLElement[] = [];
    if (row.id === view.currentTaskId) badges.push(el('span', { class: 'badge badge-current', text: 'current' }));
    if (row.ready) badges.push(el('span', { class: 'badge badge-ready', text: 'ready' }));
    if (row.waitsFor.length > 0) {
      const names = row.waitsFor.map((id) => this.#names.get(id) ?? id);
      const shown = names.slice(0, 2).join(', ') + (names.length > 2 ? ` +${names.length - 2}` : '');
      badges.push(el('span', { class: row.blocked ? 'badge badge-waits' : 'badge badge-waited', text: `waits for ${shown}`, title: names.join('\n') }));
    }
    if (row.job !== null) {
      badges.push(
        el('span', {
          class: row.job.active ? 'badge badge-job-active' : 'badge badge-job',
          text: `job ${row.job.status}`,
          title: row.job.message ?? row.job.status,
        }),
      );
    }
    if (row.agentId !== null) badges.push(el('span', { class: 'badge badge-agent', text: row.agentId, title: `agent ${row.agentId}` }));
    if (row.claim !== null) {
      // The server judged the claim; the page shows its label (text only).
      badges.push(
        el('span', {
          class: row.claim.expired ? 'badge badge-claim-expired' : 'badge badge-claim',
          text: `claim ${row.claim.label}`,
          title: `${row.claim.expired ? 'expired' : 'expires'} ${row.claim.expiresAt}`,
          data: { role: 'claim' },
        }),
      );
    }
    const node = el(
      'div',
      {
        class: classes.join(' '),
        attrs: { role: 'treeitem', 'aria-level': String(row.depth + 1), 'aria-selected': String(selected), tabindex: selected ? '0' : '-1' },
        data: { taskId: row.id, status: row.status },
      },
      toggle,
      el('span', { class: 'mark', text: status.mark, title: status.label }),
      el('span', { class: 'name', text: row.name, title: row.name }),
      el('span', { class: 'badges' }, ...badges),
    );
    if (row.subtree > 0) node.setAttribute('aria-expanded', String(!collapsed));
    node.style.paddingLeft = `${8 + row.depth * 18}px`;
    return node;
  }

  #onClick(event: MouseEvent): void {
    const target = event.target as HTMLElement;
    const toggle = target.closest<HTMLElement>('[data-toggle]');
    if (toggle !== null) {
      const id = toggle.dataset.toggle as string;
      if (this.#collapsed.has(id)) this.#collapsed.delete(id);
      else this.#collapsed.add(id);
      this.#recompute();
      this.draw();
      return;
    }
    const row = target.closest<HTMLElement>('[data-task-id]');
    if (row !== null) this.#events.select(row.dataset.taskId as string);
  }

  #onKey(event: KeyboardEvent): void {
    if (this.#view === null || this.#selected === null) return;
    const rows = this.#view.rows;
    const position = this.#visible.findIndex((i) => rows[i]?.id === this.#selected);
    if (position === -1) return;
    let next = position;
    if (event.key === 'ArrowDown') next = Math.min(this.#visible.length - 1, position + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, position - 1);
    else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
      const row = rows[this.#visible[position] as number] as TaskRow;
      if (row.subtree > 0) {
        if (event.key === 'ArrowLeft') this.#collapsed.add(row.id);
        else this.#collapsed.delete(row.id);
        this.#recompute();
        this.draw();
      }
      event.preventDefault();
      return;
    } else return;
    event.preventDefault();
    const id = rows[this.#visible[next] as number]?.id;
    if (id !== undefined) this.#events.select(id);
  }
}
