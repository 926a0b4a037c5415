// Migrations apply to an empty database (the real PostgreSQL when configured, and the embedded
// engine always), record themselves in Prisma's ledger, and a second run applies nothing.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { expect, inject, test } from "vitest";
import { startEmbeddedPostgres } from "../../lib/embedded-postgres";
import { applyMigrations, readMigrations } from "../../lib/migrate";
import { withDatabase } from "../setup/global";

const EXPECTED_TABLES = [
  "_prisma_migrations", "accounts", "audit_log", "crawl_runs", "faq_requests", "faqs", "listings", "paper_embeddings",
  "paper_versions", "papers", "sessions", "settings", "stars", "topic_papers", "topics", "users", "verifications",
];

async function checkFreshDatabase(url: string) {
  const migrations = await readMigrations();
  const first = await applyMigrations(url);
  expect(first.applied).toEqual(migrations.map((m) => m.name));
  const second = await applyMigrations(url);
  expect(second.applied).toEqual([]);
  expect(second.alreadyApplied).toEqual(migrations.map((m) => m.name));

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
    const ledger = await client.query(`SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY 1`);
    expect(ledger.rows.map((r) => [r.migration_name, r.checksum])).toEqual(migrations.map((m) => [m.name, m.checksum]));
    expect(ledger.rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    const vector = await client.query(
      `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
       WHERE a.attrelid = 'paper_embeddings'::regclass AND a.attname = 'embedding'`,
    );
    expect(vector.rows[0]?.type).toBe("vector(384)");
    // pgvector works: a distance between two stored vectors.
    const distance = await client.query(`SELECT ('[1,0,0]'::vector <=> '[0,1,0]'::vector) AS d`);
    expect(Number(distance.rows[0].d)).toBeCloseTo(1, 5);
  } finally {
    await client.end();
  }
}

test("migrations apply to an empty embedded database and are recorded once", async () => {
  const embedded = await startEmbeddedPostgres({});
  try {
    await checkFreshDatabase(embedded.url);
  } finally {
    await embedded.stop();
  }
});

const adminUrl = inject("adminDatabaseUrl");
test.skipIf(!adminUrl)("migrations apply to an empty PostgreSQL database and are recorded once", async () => {
  const name = `papers_migrate_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    await checkFreshDatabase(withDatabase(adminUrl!, name));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
});

test("a failing migration is rolled back whole and named in the error", async () => {
  const { mkdtemp, mkdir, writeFile, cp } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const path = await import("node:path");
  const dir = await mkdtemp(path.join(tmpdir(), "migrations-"));
  await cp((await import("../../lib/migrate")).MIGRATIONS_DIR, dir, { recursive: true });
  await mkdir(path.join(dir, "99990101000000_broken"));
  await writeFile(
    path.join(dir, "99990101000000_broken", "migration.sql"),
    `CREATE TABLE half_done (id int);\nTHIS IS NOT SQL;`,
  );
  const embedded = await startEmbeddedPostgres({});
  try {
    await expect(applyMigrations(embedded.url, { dir })).rejects.toThrow(/99990101000000_broken could not be applied/);
    const client = new pg.Client({ connectionString: embedded.url });
    await client.connect();
    const leftover = await client.query(`SELECT to_regclass('half_done') AS t`);
    const ledger = await client.query(`SELECT count(*)::int AS n FROM _prisma_migrations WHERE migration_name LIKE '%broken'`);
    await client.end();
    expect(leftover.rows[0].t).toBeNull();
    expect(ledger.rows[0].n).toBe(0);
  } finally {
    await embedded.stop();
  }
});
