// `npm run db:deploy`: applies pending migrations to DATABASE_URL (or to the embedded database
// under DATA_DIR when DATABASE_URL is unset). `npm start` does the same on every start.
import path from "node:path";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";
import { loadDotEnv, parseEnv } from "../lib/env";
import { applyMigrations } from "../lib/migrate";

loadDotEnv();
const config = parseEnv(process.env);
const embedded = config.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: path.resolve(config.DATA_DIR, "pglite") });
try {
  const result = await applyMigrations(config.DATABASE_URL ?? embedded!.url, { log: (l) => console.log(l) });
  console.log(
    `${result.applied.length} migration(s) applied, ${result.alreadyApplied.length} already applied` +
      (embedded ? ` (embedded database in ${embedded.dataDir})` : ""),
  );
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
