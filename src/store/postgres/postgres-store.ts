/** Placeholder while the store is being written (see the pg branch). */
import type { TaskList } from '../../model/task-list.js';
import { TaskIoError } from '../../errors.js';
import type { StoredList, TaskStore } from '../task-store.js';
import type { PostgresConnection, PostgresTaskStoreOptions } from './options.js';

export class PostgresTaskStore implements TaskStore {
  constructor(_connection: PostgresConnection, _options: PostgresTaskStoreOptions = {}) {}
  read(_sessionId: string, _known: StoredList | null): Promise<StoredList | null> {
    return Promise.reject(new TaskIoError('not yet'));
  }
  withLock<T>(_sessionId: string, _fn: () => Promise<T>): Promise<T> {
    return Promise.reject(new TaskIoError('not yet'));
  }
  write(_sessionId: string, _list: TaskList, _basis: StoredList | null): Promise<StoredList> {
    return Promise.reject(new TaskIoError('not yet'));
  }
  locate(sessionId: string): string {
    return `postgres://#/${sessionId}`;
  }
  listSessions(): Promise<string[]> {
    return Promise.resolve([]);
  }
  async close(): Promise<void> {}
}
