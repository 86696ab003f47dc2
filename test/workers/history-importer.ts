/**
 * Campaign worker for the copy kill loop: imports two versions of one session with their history
 * (StoreHistory.importSession, as `copy --force` does) one after the other, forever, on a history-keeping
 * file store, each over the other.
 *
 * Config (argv[2], JSON): { baseDir, session, staleMs, payloadFile } where the payload file holds
 * `[{ text, entries }, { text, entries }]` (a session file's text and its history entries).
 */
import fs from 'node:fs';
import type { HistoryEntry } from '../../src/history.js';
import { decodeTaskList } from '../../src/store/codec.js';
import { FileTaskStore } from '../../src/store/file-store.js';

interface Config {
  baseDir: string;
  session: string;
  staleMs: number;
  payloadFile: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
const payloads = JSON.parse(fs.readFileSync(config.payloadFile, 'utf8')) as { text: string; entries: HistoryEntry[] }[];
const store = new FileTaskStore(config.baseDir, { history: true, lock: { staleMs: config.staleMs, timeoutMs: 60_000 } });
const importSession = store.history?.importSession;
if (importSession === undefined) throw new Error('the file store has no importSession');
process.stdout.write('ready\n');

for (let i = 0; ; i++) {
  const payload = payloads[i % payloads.length] as { text: string; entries: HistoryEntry[] };
  await store.withLock(config.session, async () => {
    const basis = await store.read(config.session, null);
    await importSession(config.session, decodeTaskList(payload.text, 'payload'), basis, payload.entries);
  });
}
