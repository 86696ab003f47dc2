#!/usr/bin/env node
/** The `gestura-tasks` executable: runs the CLI on the real process. */
import module from 'node:module';
import type { runCli as RunCli } from './program.js';

// Agents run the CLI once per action: where Node can cache compiled code between runs (22.1+), let
// it. Older versions have no such call; nothing changes there.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

// commander and the MCP SDK are optional dependencies (the library does not need them); say so
// plainly when they were left out of the install.
let runCli: typeof RunCli;
try {
  ({ runCli } = await import('./program.js'));
} catch (error) {
  if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write(
    `gestura-tasks: ${(error as Error).message}\n` +
      'The command line needs the optional dependencies commander and @modelcontextprotocol/sdk; ' +
      'install them (or reinstall gestura-tasks without --omit=optional).\n',
  );
  process.exit(1);
}

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdoutStream: process.stdout,
  env: process.env,
  cwd: process.cwd(),
});
