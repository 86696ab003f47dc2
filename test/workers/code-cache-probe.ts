/** Runs a CommonJS file through the CLI's code cache and prints what happened as one JSON line. */
import { runCommonJs } from '../../src/cli/code-cache.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: code-cache-probe <file.cjs>');
const loaded = runCommonJs(file);
console.log(JSON.stringify(loaded === undefined ? null : { cache: loaded.cache, exports: loaded.exports }));
