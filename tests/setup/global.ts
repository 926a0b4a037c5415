// Runs once before all tests: a fresh database with every migration applied, and Redis if there is
// one. With DATABASE_URL (or TEST_DATABASE_URL) set, a new database is created on that server and
// dropped afterwards; otherwise an in-memory embedded PostgreSQL is started. Redis comes from
// REDIS_URL/TEST_REDIS_URL; in CI it is required.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../lib/embedded-postgres";
import { applyMigrations } from "../../lib/migrate";
import { buildIsStale, buildWebApp } from "../../lib/build";
import { checkRedis } from "../../lib/connectivity";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseKind: "postgres" | "embedded";
    /** Server URL (no database) for tests that create databases of their own; undefined when embedded. */
    adminDatabaseUrl: string | undefined;
    redisUrl: string | undefined;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
  const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL || undefined;
  // Page tests run the production server: build it once here when it is missing or stale.
  if (buildIsStale()) {
    console.log("[tests] building the web app (missing or older than its sources) …");
    if (buildWebApp({ ...process.env, NEXT_TELEMETRY_DISABLED: "1" }) !== 0) throw new Error("next build failed");
  }

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl: string;
  let dropDatabase: (() => Promise<void>) | undefined;

  if (adminUrl) {
    const name = `papers_test_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    databaseUrl = withDatabase(adminUrl, name);
    dropDatabase = async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    embedded = await startEmbeddedPostgres({});
    databaseUrl = embedded.url;
  }
  await applyMigrations(databaseUrl);

  if (redisUrl) await checkRedis(redisUrl);
  else if (process.env.CI) throw new Error("CI must provide Redis: set REDIS_URL (see .ci/run)");
  else console.warn("[tests] REDIS_URL is not set: tests that need Redis are skipped (CI requires it).");

  project.provide("databaseUrl", databaseUrl);
  project.provide("databaseKind", embedded ? "embedded" : "postgres");
  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("redisUrl", redisUrl);

  return async () => {
    await dropDatabase?.();
    await embedded?.stop();
  };
}
