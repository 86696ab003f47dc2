/**
 * Worker for the hostile-directory tests: swaps `<baseDir>/.gestura` for a link to `outside` and
 * back, as fast as it can, until `stopFile` exists, then prints `stopped <rounds>`. Prints
 * `started` after the first swap. Every step may fail (a writer may have recreated `.gestura`
 * meanwhile): it keeps going.
 *
 * Config (argv[2], JSON): { baseDir, outside, stopFile }
 */
import fs from 'node:fs';
import path from 'node:path';

interface Config {
  baseDir: string;
  outside: string;
  stopFile: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const gestura = path.join(config.baseDir, '.gestura');
const parked = path.join(config.baseDir, '.gestura.parked');
const attempt = (fn: () => void): void => {
  try {
    fn();
  } catch {
    // keep swapping
  }
};
let rounds = 0;
while (!fs.existsSync(config.stopFile)) {
  attempt(() => fs.renameSync(gestura, parked));
  attempt(() => fs.symlinkSync(config.outside, gestura));
  for (let i = 0; i < 2000; i++) fs.existsSync(config.stopFile); // leave the link in place a moment
  attempt(() => fs.unlinkSync(gestura));
  attempt(() => fs.renameSync(parked, gestura));
  if (rounds++ === 0) process.stdout.write('started\n');
}
process.stdout.write(`stopped ${rounds}\n`);
