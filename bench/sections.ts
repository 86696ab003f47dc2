/**
 * Extra sections of `npm run bench`, run after the built-in ones, in order. Each returns the
 * markdown it adds to the printed report and, optionally, data for `results/latest.json`
 * (stored under `sections[title]`).
 *
 * Wiring a section from another file is one import and one entry, e.g. the per-phase commit
 * breakdown (bench/commit-breakdown.ts):
 *
 *   import { runCommitBreakdown } from './commit-breakdown.js';
import { runPostgresBench } from './postgres.js';
 *   ...
 *   { title: 'Commit breakdown', run: runCommitBreakdown },
 */
import { runCommitBreakdown } from './commit-breakdown.js';
import { runHistoryCost } from './history-cost.js';
import { runPostgresBench } from './postgres.js';

/** Options every section gets. */
export interface SectionOptions {
  /** `--quick`: a fast smoke run. */
  readonly quick: boolean;
}

/**
 * What a section returns: markdown alone, or `{ markdown, json? }`. Anything else is stored as
 * JSON and printed in a code block, so a section written without this file in mind still fits.
 */
export type SectionOutput = string | { readonly markdown: string; readonly json?: unknown } | unknown;

export interface ExtraSection {
  readonly title: string;
  /** Picks this section alone with `--only=<key>` (all extra sections run with `--only=extra`). */
  readonly key?: string;
  readonly run: (opts: SectionOptions) => Promise<SectionOutput> | SectionOutput;
}

/** Markdown and JSON of a section's output, whatever its form. */
export function normalizeSection(output: SectionOutput): { markdown: string; json: unknown } {
  if (typeof output === 'string') return { markdown: output, json: null };
  if (typeof output === 'object' && output !== null && typeof (output as { markdown?: unknown }).markdown === 'string') {
    const o = output as { markdown: string; json?: unknown };
    return { markdown: o.markdown, json: o.json ?? null };
  }
  return { markdown: `\`\`\`json\n${JSON.stringify(output, null, 2)}\n\`\`\`\n`, json: output };
}

export const extraSections: ExtraSection[] = [
  {
    title: 'Commit breakdown',
    run: async (opts) => {
      const { table, json } = await runCommitBreakdown(opts);
      return { markdown: table, json };
    },
  },
  { title: 'History, claims and history reads', key: 'history', run: runHistoryCost },
  { title: 'PostgreSQL store', key: 'postgres', run: runPostgresBench },
];
