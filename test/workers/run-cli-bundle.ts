/** Runs the CLI from a built bundle (argv[2]) through the code cache, as dist/cli/main.js does. */
import { runCommonJs } from '../../src/cli/code-cache.js';
import { processIo } from '../../src/cli/io.js';
import type { runCli as RunCli } from '../../src/cli/program.js';

const [bundle, ...args] = process.argv.slice(2);
if (bundle === undefined) throw new Error('usage: run-cli-bundle <bundle.cjs> [args...]');
const loaded = runCommonJs(bundle);
if (loaded === undefined) throw new Error(`no bundle at ${bundle}`);
const { runCli } = loaded.exports as { runCli: typeof RunCli };
process.exitCode = await runCli(args, processIo());
