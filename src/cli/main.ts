#!/usr/bin/env node
/** The `gestura-tasks` executable as an ES module: runs the CLI on the real process. */
import module from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundledCli } from './launch.js';
import { processIo } from './io.js';
import type { runCli as RunCli } from './program.js';

// Agents run the CLI once per action, so start-up is paid every time. The built package has the
// whole CLI in one file (dist/cli/bundle.cjs, see scripts/build-cli.ts), run through V8's code cache;
// the package's `bin` is dist/cli/main.cjs, which runs it without starting the ES-module loader and
// comes here only when there is no bundle. Without it (running from source, or a dist/ built by tsc
// alone) the modules are loaded one by one.
async function loadModules(): Promise<typeof RunCli> {
  // Where Node can cache compiled code between runs (22.1+), let it. Older versions have no such
  // call; nothing changes there.
  (module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
  try {
    return (await import('./program.js')).runCli;
  } catch (error) {
    // commander and the MCP SDK are optional dependencies (the library does not need them); say so
    // plainly when they were left out of the install.
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      `gestura-tasks: ${(error as Error).message}\n` +
        'The command line needs the optional dependencies commander and @modelcontextprotocol/sdk; ' +
        'install them (or reinstall gestura-tasks without --omit=optional).\n',
    );
    process.exit(1);
  }
}

const runCli = bundledCli(fileURLToPath(new URL('.', import.meta.url))) ?? (await loadModules());

process.exitCode = await runCli(process.argv.slice(2), processIo());
