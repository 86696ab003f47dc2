/**
 * The shape of the front ends, read from the source: one application layer (src/app) that the CLI
 * and the MCP server share, no sideways imports, the readiness rules asked in one place, and a CLI
 * entry that loads only commander until a command runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/spawn-tsx.js';

const src = path.join(repoRoot, 'src');

function filesUnder(dir: string): string[] {
  return fs.readdirSync(path.join(src, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f));
}

/** Module specifiers of `file` (relative to src): static imports/re-exports, and dynamic imports. */
function imports(file: string): { static: string[]; dynamic: string[] } {
  const text = fs.readFileSync(path.join(src, file), 'utf8');
  const statics = [...text.matchAll(/^\s*(?:import|export)\s(?!type\b)[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1] as string);
  const sideEffect = [...text.matchAll(/^\s*import\s+'([^']+)'/gm)].map((m) => m[1] as string);
  const dynamic = [...text.matchAll(/import\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] as string);
  return { static: [...statics, ...sideEffect], dynamic };
}

/** `spec` imported from `file`, as a path relative to src (packages stay as they are). */
function resolve(file: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  return path.normalize(path.join(path.dirname(file), spec)).replace(/\.js$/, '.ts');
}

describe('front-end layers', () => {
  it('the MCP server imports nothing from the CLI, and the CLI shares no code with the MCP server', () => {
    for (const file of filesUnder('mcp')) {
      const { static: s, dynamic: d } = imports(file);
      for (const spec of [...s, ...d]) expect(resolve(file, spec), `${file} imports ${spec}`).not.toMatch(/^cli\//);
    }
    for (const file of filesUnder('cli')) {
      // The `mcp` command may start the server (a lazy launcher); nothing else reaches into src/mcp.
      for (const spec of imports(file).static) expect(resolve(file, spec), `${file} imports ${spec}`).not.toMatch(/^mcp\//);
    }
    for (const file of filesUnder('app')) {
      const { static: s, dynamic: d } = imports(file);
      for (const spec of [...s, ...d]) expect(resolve(file, spec), `${file} imports ${spec}`).not.toMatch(/^(cli|mcp)\//);
    }
  });

  it('open / blocked / ready are asked only through src/app/task-state.ts', () => {
    const rules = ['isTerminal', 'isTerminalStatus', 'isTaskBlocked', 'readyTasks', 'completionBlocker', 'openDescendants', 'canComplete'];
    const offenders: string[] = [];
    for (const file of [...filesUnder('cli'), ...filesUnder('mcp'), ...filesUnder('app')]) {
      if (file === path.join('app', 'task-state.ts')) continue;
      const code = fs.readFileSync(path.join(src, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      // Names imported from task-state.ts are the allowed way to ask.
      const fromTaskState = new Set(
        [...code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'[^']*task-state\.js'/g)].flatMap((m) => (m[1] as string).split(',').map((n) => n.trim())),
      );
      for (const rule of rules) {
        if (!fromTaskState.has(rule) && new RegExp(`\\b${rule}\\b`).test(code)) offenders.push(`${file}: ${rule}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the CLI entry loads only commander and small modules until a command runs', () => {
    const seen = new Set<string>();
    // main.ts loads program.ts on every run, so both are the entry.
    const queue = ['cli/main.ts', 'cli/program.ts'];
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      if (!file.endsWith('.ts')) continue;
      for (const spec of imports(file).static) queue.push(resolve(file, spec));
    }
    const loaded = [...seen].sort();
    expect(loaded).not.toContain('index.ts');
    expect(loaded).not.toContain('manager.ts');
    expect(loaded.filter((f) => f === 'zod' || f.startsWith('@modelcontextprotocol'))).toEqual([]);
  });
});
