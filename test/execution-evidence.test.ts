/** Execution-state helpers (docs/behaviour.md): mergeProfile, recordEvidence (de-dup, sticky flags, window), satisfiesProfile. */
import { describe, expect, it } from 'vitest';
import {
  defaultExecutionState,
  mergeProfile,
  newExecutionEvidence,
  recordEvidence,
  satisfiesProfile,
  type TaskExecutionEvidenceKind,
  type TaskExecutionState,
  type TaskVerificationProfile,
} from '../src/index.js';

const ev = (kind: TaskExecutionEvidenceKind, summary: string, tool?: string | null, command?: string | null, success = true) =>
  newExecutionEvidence(kind, summary, tool, command, success);

function stateWith(profile: Partial<TaskVerificationProfile>): TaskExecutionState {
  const state = defaultExecutionState();
  mergeProfile(state, profile);
  return state;
}

const FLAGS = ['saw_tool_activity', 'saw_mutation', 'saw_diagnostic_progress', 'saw_contradiction', 'saw_blocker', 'build_succeeded', 'test_succeeded'] as const;
function flags(state: TaskExecutionState): string[] {
  return FLAGS.filter((f) => state[f]);
}

describe('defaultExecutionState and mergeProfile', () => {
  it('defaults everything off, general kind, no evidence', () => {
    const state = defaultExecutionState();
    expect(flags(state)).toEqual([]);
    expect(state.evidence).toEqual([]);
    expect(state.verification_profile.execution_kind).toBe('general');
  });

  it('mergeProfile replaces the whole profile (keys not given return to their defaults)', () => {
    const state = stateWith({ requires_build: true, execution_kind: 'implementation' });
    mergeProfile(state, { requires_test: true });
    expect(state.verification_profile).toEqual({
      execution_kind: 'general', requires_mutation: false, requires_build: false, requires_test: true,
      requires_external_evidence: false, requires_launch_evidence: false, parallel_safe: false,
    });
  });
});

describe('recordEvidence', () => {
  it.each<[TaskExecutionEvidenceKind, boolean, string[]]>([
    ['tool_activity', true, ['saw_tool_activity']],
    ['artifact', true, ['saw_tool_activity']],
    ['diagnostic', true, ['saw_tool_activity', 'saw_diagnostic_progress']],
    ['contradiction', true, ['saw_tool_activity', 'saw_diagnostic_progress', 'saw_contradiction']],
    ['blocker', true, ['saw_tool_activity', 'saw_diagnostic_progress', 'saw_blocker']],
    ['blocker', false, ['saw_tool_activity', 'saw_diagnostic_progress', 'saw_blocker']],
    ['mutation', true, ['saw_tool_activity', 'saw_mutation']],
    ['mutation', false, ['saw_tool_activity']],
    ['build', true, ['saw_tool_activity', 'build_succeeded']],
    ['build', false, ['saw_tool_activity']],
    ['test', true, ['saw_tool_activity', 'test_succeeded']],
    ['test', false, ['saw_tool_activity']],
  ])('%s (success %s) sets %j', (kind, success, expected) => {
    const state = defaultExecutionState();
    expect(recordEvidence(state, ev(kind, 'x', null, null, success))).toBe(true);
    expect(flags(state)).toEqual(expected);
  });

  it('flags are sticky: a later failed build does not clear build_succeeded', () => {
    const state = defaultExecutionState();
    recordEvidence(state, ev('build', 'b1'));
    recordEvidence(state, ev('build', 'b2', null, null, false));
    expect(state.build_succeeded).toBe(true);
  });

  it('a duplicate (kind, summary, tool, command, success) in the window returns false and changes nothing', () => {
    const state = defaultExecutionState();
    expect(recordEvidence(state, ev('test', 'npm test', 'shell', 'npm test'))).toBe(true);
    const snapshot = structuredClone(state);
    expect(recordEvidence(state, ev('test', 'npm test', 'shell', 'npm test'))).toBe(false);
    expect(state).toEqual(snapshot);
    // Any one field different is new evidence.
    expect(recordEvidence(state, ev('test', 'npm test', 'shell', 'npm test', false))).toBe(true);
    expect(recordEvidence(state, ev('test', 'npm test', 'shell', 'npm t'))).toBe(true);
    expect(recordEvidence(state, ev('test', 'npm test', 'bash', 'npm test'))).toBe(true);
    expect(recordEvidence(state, ev('test', 'npm test', null, 'npm test'))).toBe(true);
    expect(recordEvidence(state, ev('build', 'npm test', 'shell', 'npm test'))).toBe(true);
    expect(recordEvidence(state, ev('test', 'npm  test', 'shell', 'npm test'))).toBe(true);
    expect(state.evidence).toHaveLength(7);
  });

  it('keeps the newest 32; an entry that fell out of the window counts as new again', () => {
    const state = defaultExecutionState();
    for (let i = 0; i < 40; i++) recordEvidence(state, ev('tool_activity', `e${i}`));
    expect(state.evidence).toHaveLength(32);
    expect(state.evidence[0]!.summary).toBe('e8');
    expect(recordEvidence(state, ev('tool_activity', 'e39'))).toBe(false);
    expect(recordEvidence(state, ev('tool_activity', 'e0'))).toBe(true);
    expect(state.evidence.at(-1)!.summary).toBe('e0');
    expect(state.evidence[0]!.summary).toBe('e9');
  });
});

describe('satisfiesProfile', () => {
  it('nothing required: true exactly when some tool activity was seen', () => {
    const state = stateWith({ parallel_safe: true, execution_kind: 'planning' });
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('artifact', 'wrote plan'));
    expect(satisfiesProfile(state)).toBe(true);
  });

  it('required flags: mutation, build, test (all must hold; tool activity alone is not enough)', () => {
    const state = stateWith({ requires_mutation: true, requires_build: true, requires_test: true });
    recordEvidence(state, ev('tool_activity', 'looked around'));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('mutation', 'edit'));
    recordEvidence(state, ev('build', 'build'));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('test', 'test', null, null, false));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('test', 'test'));
    expect(satisfiesProfile(state)).toBe(true);
  });

  it('external evidence: a successful web/web_search tool activity after the last successful mutation', () => {
    const state = stateWith({ requires_external_evidence: true });
    recordEvidence(state, ev('tool_activity', 'search', 'web_search'));
    expect(satisfiesProfile(state)).toBe(true);
    recordEvidence(state, ev('mutation', 'edit'));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('tool_activity', 'fetch failed', 'web', null, false));
    recordEvidence(state, ev('diagnostic', 'web', 'web'));
    recordEvidence(state, ev('tool_activity', 'other tool', 'websearch'));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('tool_activity', 'fetch', 'web'));
    expect(satisfiesProfile(state)).toBe(true);
    // A failed mutation does not move the boundary.
    recordEvidence(state, ev('mutation', 'edit 2', null, null, false));
    expect(satisfiesProfile(state)).toBe(true);
    recordEvidence(state, ev('mutation', 'edit 3'));
    expect(satisfiesProfile(state)).toBe(false);
  });

  it('launch evidence: shell/browser/open-browser tool activity whose lower-cased command has a launch phrase', () => {
    const launches = [
      'cargo tauri dev', 'tauri dev', 'npm run tauri dev', 'pnpm tauri dev', 'pnpm run tauri dev', 'yarn tauri dev',
      'yarn run tauri dev', 'bun tauri dev', 'bun run tauri dev', 'cargo run', 'npm run dev', 'pnpm dev', 'pnpm run dev',
      'yarn dev', 'yarn run dev', 'bun dev', 'bun run dev',
    ];
    for (const phrase of launches) {
      for (const tool of ['shell', 'browser', 'open-browser']) {
        const state = stateWith({ requires_launch_evidence: true });
        recordEvidence(state, ev('tool_activity', 'launch', tool, `cd app && ${phrase.toUpperCase()} --verbose`));
        expect(satisfiesProfile(state), `${tool}: ${phrase}`).toBe(true);
      }
    }
    const misses: [string | null, string | null, boolean, TaskExecutionEvidenceKind][] = [
      ['shell', 'npm run build', true, 'tool_activity'],
      ['shell', 'cargo  run', true, 'tool_activity'],
      ['terminal', 'npm run dev', true, 'tool_activity'],
      ['shell', 'npm run dev', false, 'tool_activity'],
      ['shell', 'npm run dev', true, 'build'],
      ['shell', null, true, 'tool_activity'],
      [null, 'npm run dev', true, 'tool_activity'],
    ];
    for (const [tool, command, success, kind] of misses) {
      const state = stateWith({ requires_launch_evidence: true });
      recordEvidence(state, ev(kind, 'launch', tool, command, success));
      expect(satisfiesProfile(state), `${tool} ${command} ${success} ${kind}`).toBe(false);
    }
  });

  it('launch evidence before the last successful mutation does not count', () => {
    const state = stateWith({ requires_launch_evidence: true, requires_mutation: true });
    recordEvidence(state, ev('tool_activity', 'run', 'shell', 'cargo run'));
    recordEvidence(state, ev('mutation', 'edit'));
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('tool_activity', 'run again', 'shell', 'cargo run'));
    expect(satisfiesProfile(state)).toBe(true);
  });

  it('the boundary is the last mutation still in the window', () => {
    const state = stateWith({ requires_external_evidence: true });
    recordEvidence(state, ev('tool_activity', 'search', 'web'));
    recordEvidence(state, ev('mutation', 'edit'));
    expect(satisfiesProfile(state)).toBe(false);
    for (let i = 0; i < 31; i++) recordEvidence(state, ev('artifact', `a${i}`));
    // The mutation is still the first entry; the search has fallen out.
    expect(state.evidence[0]!.kind).toBe('mutation');
    expect(satisfiesProfile(state)).toBe(false);
    recordEvidence(state, ev('tool_activity', 'search again', 'web_search'));
    expect(satisfiesProfile(state)).toBe(true);
  });
});
