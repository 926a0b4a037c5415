// The import's second database driver: postgres.js, for COPY FROM STDIN, which Prisma (and its pg
// adapter) cannot send. Prisma stays the driver for everything else; this client connects to the
// same database (lib/db.ts databaseUrl: DATABASE_URL, or what a script chose with useDatabaseUrl,
// such as the embedded database's server), opened on first use and closed by closeImportSql().
import postgres, { type Sql } from "postgres";
import { databaseUrl } from "../db";

const globalForImport = globalThis as unknown as { importSql?: { url: string; max: number; sql: Sql } };

/** Query parameters of a connection URL that postgres.js reads or PostgreSQL accepts at startup. */
const DRIVER_PARAMS = new Set([
  "sslmode",
  "ssl",
  "sslrootcert",
  "sslcert",
  "sslkey",
  "sslnegotiation",
  "channel_binding",
  "require_auth",
  "target_session_attrs",
  "connect_timeout",
  "application_name",
  "options",
  "host",
  "port",
]);

/**
 * `url` for postgres.js: without the parameters only Prisma reads (`schema`, `connection_limit`,
 * `pool_timeout`, `pgbouncer`, …). postgres.js sends every parameter it does not know to the server
 * as a setting, and PostgreSQL refuses to start a session with an unknown one.
 */
export function driverUrl(url: string): string {
  const parsed = new URL(url);
  for (const key of [...parsed.searchParams.keys()]) {
    if (!DRIVER_PARAMS.has(key)) parsed.searchParams.delete(key);
  }
  return parsed.toString();
}

/**
 * The process's postgres.js client for bulk writes, opened on first use, with up to `connections`
 * connections (the import writes that many batches at once; each opens when first needed).
 */
export function importSql(connections = 1): Sql {
  const url = databaseUrl();
  const open = globalForImport.importSql;
  if (open && open.url === url && open.max >= connections) return open.sql;
  if (open) void open.sql.end({ timeout: 5 }).catch(() => {});
  const sql = postgres(driverUrl(url), {
    // On the embedded database all connections are one session, whose server runs one
    // transaction at a time: more connections cost nothing there, and gain nothing.
    max: connections,
    // Unnamed statements: a few statements per batch of thousands of rows, and named ones would
    // outlive the connection on the embedded database (one session for all connections).
    prepare: false,
    // "relation … already exists, skipping" from CREATE TEMP TABLE IF NOT EXISTS is expected.
    onnotice: false,
    // The statements take and return plain values; no need to look up the server's array types.
    fetch_types: false,
    idle_timeout: 30,
    // postgres.js keeps trying a connection the server closed for up to this long: long enough to
    // ride out a restart, short enough that an import whose database is gone says so (its
    // position is saved with each batch; the same command resumes).
    connect_timeout: 10,
    connection: { application_name: "paper-triage import" },
  });
  globalForImport.importSql = { url, max: connections, sql };
  return sql;
}

/** Closes the client, letting a statement in progress finish first (up to 5 s). */
export async function closeImportSql(): Promise<void> {
  const open = globalForImport.importSql;
  globalForImport.importSql = undefined;
  await open?.sql.end({ timeout: 5 });
}
