import 'reflect-metadata';
import 'dotenv/config';
import { loadConfig } from './src/config';
import { createDataSource } from './src/db/data-source';

/** The DataSource the TypeORM CLI uses (migration:show, migration:generate): the app's own options. */
export default createDataSource(loadConfig().database);
