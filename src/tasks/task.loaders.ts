import DataLoader from 'dataloader';
import type { Context } from '../context';
import type { TaskEvent } from './task-event.entity';
import type { TaskService } from './task.service';

/**
 * Batch loaders for one request: a list asking for each task's history makes one query, not N.
 * Each loader is made on first use, so the many requests that need none (a plain task(id))
 * pay nothing for them. A class: its getters are defined once, not on every request's object.
 */
type Loaders = Context['loaders'];

class TaskLoaders implements Loaders {
  private taskLoader: Context['loaders']['task'] | undefined;
  private historyLoader: Context['loaders']['history'] | undefined;

  constructor(private readonly tasks: TaskService) {}

  get task(): Context['loaders']['task'] {
    return (this.taskLoader ??= new DataLoader((ids: readonly string[]) => this.tasks.getTasks(ids)));
  }

  get history(): Context['loaders']['history'] {
    return (this.historyLoader ??= new DataLoader((keys: readonly string[]) => loadHistory(this.tasks, keys)));
  }
}

export function createTaskLoaders(tasks: TaskService): Context['loaders'] {
  return new TaskLoaders(tasks);
}

async function loadHistory(tasks: TaskService, keys: readonly string[]): Promise<TaskEvent[][]> {
  const byFirst = new Map<number, string[]>();
  for (const key of keys) {
    const [first, uuid] = splitKey(key);
    byFirst.set(first, [...(byFirst.get(first) ?? []), uuid]);
  }
  const results = new Map<string, TaskEvent[]>();
  for (const [first, uuids] of byFirst) {
    const history = await tasks.historyOf(uuids, first);
    for (const uuid of uuids) results.set(`${first}:${uuid}`, history.get(uuid) ?? []);
  }
  return keys.map((key) => results.get(key) ?? []);
}

function splitKey(key: string): [number, string] {
  const colon = key.indexOf(':');
  return [Number(key.slice(0, colon)), key.slice(colon + 1)];
}
