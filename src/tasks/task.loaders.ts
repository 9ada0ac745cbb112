import DataLoader from 'dataloader';
import type { Context } from '../context';
import type { TaskEvent } from './task-event.entity';
import type { TaskService } from './task.service';

/** Batch loaders for one request: a list asking for each task's history makes one query, not N. */
export function createTaskLoaders(tasks: TaskService): Context['loaders'] {
  return {
    task: new DataLoader((ids: readonly string[]) => tasks.getTasks(ids)),
    history: new DataLoader(async (keys: readonly string[]) => {
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
    }),
  };
}

function splitKey(key: string): [number, string] {
  const colon = key.indexOf(':');
  return [Number(key.slice(0, colon)), key.slice(colon + 1)];
}
