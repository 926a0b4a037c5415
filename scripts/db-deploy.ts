// `npm run db:deploy`: applies pending migrations to DATABASE_URL, or to the embedded database under
// DATA_DIR when DATABASE_URL is unset (through the running app when it is up). `npm start` does
// the same on every start.
import { loadDotEnv } from "../lib/env";
import { applyMigrations } from "../lib/migrate";
import { openScriptDatabase } from "../lib/runtime";

loadDotEnv();
const database = await openScriptDatabase();
try {
  const result = await applyMigrations(database.url, { log: (l) => console.log(l) });
  console.log(`${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already applied (${database.description})`);
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
