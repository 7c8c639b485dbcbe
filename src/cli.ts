// Operator commands: `npm run migrate` applies pending migrations and exits.
import { loadConfig } from './config.js';
import { openDb } from './platform/db.js';
import { migrate } from './platform/migrate.js';

const [command] = process.argv.slice(2);
if (command !== 'migrate') {
  console.error('usage: tsx src/cli.ts migrate');
  process.exit(2);
}
const config = loadConfig();
const db = await openDb({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR });
try {
  const applied = await migrate(db);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await db.close();
}
