import { CreateTasks1764100000000 } from './1764100000000-CreateTasks';
import { CreateKeys1764200000000 } from './1764200000000-CreateKeys';
import { EventClock1764300000000 } from './1764300000000-EventClock';
import { ReplayClaims1764410000000 } from './1764410000000-ReplayClaims';
import { StatusWordsAndBigLogs1764411000000 } from './1764411000000-StatusWordsAndBigLogs';
import { StoredLogBytes1764500000000 } from './1764500000000-StoredLogBytes';
import { EventCommitProcedure1764600000000 } from './1764600000000-EventCommitProcedure';

/** Every migration, oldest first. New migrations are appended here as well as added as files. */
export const migrations = [CreateTasks1764100000000, CreateKeys1764200000000, EventClock1764300000000, ReplayClaims1764410000000, StatusWordsAndBigLogs1764411000000, StoredLogBytes1764500000000, EventCommitProcedure1764600000000];
