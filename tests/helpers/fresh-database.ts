// A database of a test's own, empty but migrated (or not migrated at all), on the test PostgreSQL
// server: for behaviour that depends on the whole table (the first account becomes administrator),
// which the shared test database cannot promise. Undefined when the tests run on the embedded
// engine (no server to ask).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { applyMigrations } from "../../lib/migrate";
import { withDatabase } from "../setup/global";

export interface FreshDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `migrate: false` leaves it empty, as a user's new database is before the app's first start. */
export async function createFreshDatabase(prefix = "papers_fresh", options: { migrate?: boolean } = {}): Promise<FreshDatabase | undefined> {
  const adminUrl = inject("adminDatabaseUrl");
  if (!adminUrl) return undefined;
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  if (options.migrate !== false) await applyMigrations(url);
  return {
    url,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
