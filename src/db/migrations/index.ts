import { CreateTasks1764100000000 } from './1764100000000-CreateTasks';
import { CreateKeys1764200000000 } from './1764200000000-CreateKeys';

/** Every migration, oldest first. New migrations are appended here as well as added as files. */
export const migrations = [CreateTasks1764100000000, CreateKeys1764200000000];
