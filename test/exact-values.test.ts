/**
 * Values the library does not know survive every read-modify-write exactly (README, guarantee 7):
 * numbers a double cannot spell back inside `metadata.execution_state` and
 * `metadata.memory_lifecycle`, and keys named like `Object.prototype` members at every level.
 */
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/index.js';
import { cleanTempDirsAfterEach } from './helpers/env.js';
import { managerOn, plantText, reopen, STORES, storedText, type StoreKind } from './helpers/stores.js';

cleanTempDirsAfterEach();

const NUMBERS = '"x_big": 9007199254740993, "x_one": 1.0, "x_exp": 1e21, "x_neg": -0.0, "x_far": 1e400';
const NUMBER_LINES = ['"x_big": 9007199254740993', '"x_one": 1.0', '"x_exp": 1e21', '"x_neg": -0.0', '"x_far": 1e400'];

/** A session whose only task carries `metadata` (JSON text) and `taskExtra` / `listExtra` keys. */
async function planted(kind: StoreKind, metadata: string, taskExtra = '', listExtra = '') {
  const manager = managerOn(kind);
  const task = await manager.createTask('s', 'target', 'x');
  let text = (await storedText(manager, 's')).replace('"metadata": null', `"metadata": ${metadata}${taskExtra}`);
  if (listExtra !== '') text = text.replace('"session_id": "s",\n  "tasks"', `"session_id": "s",${listExtra},\n  "tasks"`);
  await plantText(manager, 's', text);
  return { manager, task, read: () => storedText(manager, 's') };
}

describe.each(STORES)('exact numbers inside typed metadata records (%s store)', (kind) => {
  it('updateExecutionState keeps unknown numbers byte for byte, at every level of the record', async () => {
    const { manager, task, read } = await planted(kind, 
      `{"execution_state": {"saw_mutation": false, ${NUMBERS}, "verification_profile": {"requires_build": false, "p_one": 2.50},` +
        ` "evidence": [{"kind": "build", "summary": "s", "success": true, "recorded_at": "2024-01-01T00:00:00Z", "e_one": 1.50}], "nested": {"n": 3.0}}}`,
    );
    const state = await manager.updateExecutionState('s', task.id, (s) => {
      s.saw_mutation = true;
    });
    expect(state.saw_mutation).toBe(true);
    const text = await read();
    for (const line of [...NUMBER_LINES, '"p_one": 2.50', '"e_one": 1.50', '"n": 3.0']) expect(text).toContain(line);
    // A second change goes through the same path again.
    await manager.updateExecutionState('s', task.id, (s) => {
      s.build_succeeded = true;
    });
    for (const line of NUMBER_LINES) expect(await read()).toContain(line);
  });

  it('recordMemoryEvent keeps unknown numbers byte for byte', async () => {
    const { manager, task, read } = await planted(kind, 
      `{"memory_lifecycle": {${NUMBERS}, "events": [{"phase": "handoff", "summary": "a", "recorded_at": "2024-01-01T00:00:00Z", "e_one": 1.50}]}}`,
    );
    const lifecycle = await manager.recordMemoryEvent('s', task.id, { phase: 'promoted', summary: 'b', recorded_at: '2024-01-02T00:00:00Z' });
    expect(lifecycle.events).toHaveLength(2);
    for (const line of [...NUMBER_LINES, '"e_one": 1.50']) expect(await read()).toContain(line);
  });

  it('a non-finite number a caller supplies is still refused', async () => {
    const { manager, task } = await planted(kind, 'null');
    await expect(
      manager.updateExecutionState('s', task.id, (s) => {
        (s as unknown as Record<string, number>).x = Number.POSITIVE_INFINITY;
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(manager.updateTaskMetadata('s', task.id, { x: Number.POSITIVE_INFINITY })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe.each(STORES)('keys named like Object.prototype members (%s store)', (kind) => {
  const KEYS = '"__proto__": {"p": 1.0}, "constructor": {"c": 1}, "toString": "s", "hasOwnProperty": 2';

  it('survive at list, task and metadata-record level, in their place, without polluting anything', async () => {
    const { manager, task, read } = await planted(kind, 
      `{"execution_state": {"before": 1, ${KEYS}, "after": 2}, "memory_lifecycle": {${KEYS}}, ${KEYS}}`,
      `, ${KEYS}`,
      ` ${KEYS}`,
    );
    await manager.createTask('s', 'other', 'y');
    await manager.updateTaskStatus('s', task.id, 'InProgress');
    await manager.updateExecutionState('s', task.id, (s) => {
      s.saw_blocker = true;
    });
    await manager.recordMemoryEvent('s', task.id, { phase: 'handoff', summary: 'm', recorded_at: '2024-01-01T00:00:00Z' });
    const value = JSON.parse(await read()) as Record<string, unknown>;
    const tasks = value.tasks as Record<string, unknown>[];
    const metadata = tasks[0]!.metadata as Record<string, Record<string, unknown>>;
    for (const holder of [value, tasks[0]!, metadata, metadata.execution_state!, metadata.memory_lifecycle!]) {
      expect(Object.hasOwn(holder, '__proto__')).toBe(true);
      expect(holder['__proto__']).toEqual({ p: 1 });
      expect(holder.constructor).toEqual({ c: 1 });
      expect(holder.toString).toBe('s');
      expect(holder.hasOwnProperty).toBe(2);
    }
    expect(await read()).toContain('"before": 1,\n          "__proto__": {\n            "p": 1.0\n          },');
    // Tasks handed to callers are plain objects; nothing global was touched.
    const fresh = await reopen(manager).getTask('s', task.id);
    expect(Object.getPrototypeOf(fresh)).toBe(Object.prototype);
    expect(Object.hasOwn(fresh!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });
});
