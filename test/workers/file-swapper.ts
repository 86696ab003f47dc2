/**
 * Worker for the hostile-file tests: swaps the session file, as fast as it can, until `stopFile`
 * exists, then prints `stopped <rounds>`.
 * - `symlink`: the session file becomes a symbolic link to `victim` (outside the base directory),
 *   then a regular file again (a copy of `backup`).
 * - `fifo`: the session file becomes the FIFO `fifo`, then a regular file again.
 * Prints `started` once the first swap is done.
 *
 * Config (argv[2], JSON): { file, backup, victim, fifo, mode: 'symlink' | 'fifo', stopFile }
 */
import fs from 'node:fs';

interface Config {
  file: string;
  backup: string;
  victim: string;
  fifo: string;
  mode: 'symlink' | 'fifo';
  stopFile: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const link = `${config.file}.swap-link`;
const regular = `${config.file}.swap-regular`;
let rounds = 0;
const attempt = (fn: () => void): void => {
  try {
    fn();
  } catch {
    // the other side may have renamed or removed things meanwhile: keep swapping
  }
};
while (!fs.existsSync(config.stopFile)) {
  if (config.mode === 'symlink') {
    attempt(() => fs.rmSync(link, { force: true }));
    attempt(() => fs.symlinkSync(config.victim, link));
    attempt(() => fs.renameSync(link, config.file));
  } else {
    attempt(() => fs.renameSync(config.fifo, config.file));
    attempt(() => fs.renameSync(config.file, config.fifo));
  }
  attempt(() => fs.copyFileSync(config.backup, regular));
  attempt(() => fs.renameSync(regular, config.file));
  if (rounds++ === 0) process.stdout.write('started\n');
}
process.stdout.write(`stopped ${rounds}\n`);
