/** Large sessions for front-end tests, written in one commit each. */
import { TaskManager, type Task } from '../../src/index.js';

/** A chain of `depth` tasks, each the only child of the one before; returns the tasks, root first. */
export async function writeChain(dir: string, session: string, depth: number): Promise<Task[]> {
  return new TaskManager(dir).batch(session, (tx) => {
    const tasks: Task[] = [];
    let parent: string | undefined;
    for (let i = 0; i < depth; i++) {
      const task = tx.createTask(`level ${i}`, '', parent);
      tasks.push(task);
      parent = task.id;
    }
    return tasks;
  });
}

/** `count` top-level tasks with a description of `descriptionLength` characters. */
export async function writeFlat(dir: string, session: string, count: number, descriptionLength = 200): Promise<void> {
  const description = 'd'.repeat(descriptionLength);
  await new TaskManager(dir).batch(session, (tx) => {
    for (let i = 0; i < count; i++) tx.createTask(`task ${i}`, description);
  });
}
