// Applies prisma/migrations/*/migration.sql to a database, in order, each in its own transaction.
// It keeps Prisma Migrate's own ledger (`_prisma_migrations`, same columns, SHA-256 checksums,
// same advisory lock), so `prisma migrate status/deploy` on a machine that has Prisma's engines
// sees exactly what this applied. Why not call `prisma migrate deploy`: Prisma 7 downloads a
// native engine for it on first use, which fails offline and costs seconds at every start.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

/** Prisma Migrate's advisory lock key: holding it keeps us and `prisma migrate` from racing. */
const PRISMA_ADVISORY_LOCK = 72707369;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../prisma/migrations");

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
  warnings: string[];
}

export class MigrationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MigrationError";
  }
}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

const LEDGER_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface LedgerRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/** Brings the database at `connectionString` up to date with the migrations folder. */
export async function applyMigrations(
  connectionString: string,
  options: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrationResult> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [], warnings: [] };
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_ADVISORY_LOCK]);
    await client.query(LEDGER_DDL);
    const { rows } = await client.query<LedgerRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"`,
    );
    const ledger = new Map(rows.filter((r) => !r.rolled_back_at).map((r) => [r.migration_name, r]));

    const known = new Set(migrations.map((m) => m.name));
    for (const row of ledger.values()) {
      if (!known.has(row.migration_name)) {
        result.warnings.push(`migration ${row.migration_name} is in the database but not in prisma/migrations`);
      }
    }

    for (const migration of migrations) {
      const row = ledger.get(migration.name);
      if (row && !row.finished_at) {
        throw new MigrationError(
          `Migration ${migration.name} failed in an earlier run and was left unfinished. ` +
            `Fix the database by hand, then mark it resolved (\`prisma migrate resolve\`) or delete its row from _prisma_migrations.`,
        );
      }
      if (row) {
        if (row.checksum !== migration.checksum) {
          result.warnings.push(`migration ${migration.name} was edited after it was applied`);
        }
        result.alreadyApplied.push(migration.name);
        continue;
      }
      log(`applying migration ${migration.name}`);
      const id = randomUUID();
      try {
        await client.query("BEGIN");
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [id, migration.checksum, migration.name],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => {});
        throw new MigrationError(
          `Migration ${migration.name} could not be applied: ${(error as Error).message}. Nothing of it was kept.`,
          { cause: error },
        );
      }
      result.applied.push(migration.name);
    }
    for (const warning of result.warnings) log(`warning: ${warning}`);
    return result;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_ADVISORY_LOCK]).catch(() => {});
    await client.end();
  }
}
