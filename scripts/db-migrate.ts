// `npm run db:migrate -- --name add_something`: writes the next migration, offline.
//
// Each folder in prisma/migrations holds migration.sql and schema.prisma, a snapshot of the schema
// it was generated from. The next migration is the difference between the latest snapshot and
// prisma/schema.prisma, computed by Prisma 6's `migrate diff` on its WebAssembly schema engine —
// a schema-to-schema diff needs no database server and no download (Prisma 7's CLI would fetch a native
// engine first). `--check` exits 1 when the schema has changes no migration holds yet (CI runs it).
// With Prisma's engines available (a machine with internet), `npx prisma migrate dev` works too;
// copy the schema into the new folder as schema.prisma afterwards.
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";

const root = path.resolve(import.meta.dirname, "..");
const migrationsDir = path.join(root, "prisma/migrations");
const schemaPath = path.join(root, "prisma/schema.prisma");
const { values } = parseArgs({
  options: { name: { type: "string" }, "dry-run": { type: "boolean" }, check: { type: "boolean" } },
});
const name = (values.name ?? "").trim().toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_|_$/g, "");
if (!name && !values["dry-run"] && !values.check) {
  console.error("Usage: npm run db:migrate -- --name <what_changed> [--dry-run | --check]");
  process.exit(2);
}

/** Prisma 6 wants `engineType = "client"` and a URL in the schema; Prisma 7 forbids the URL. */
function forPrisma6(file: string, out: string): string {
  const text = readFileSync(file, "utf8")
    .replace(/(generator client \{)/, '$1\n  engineType = "client"')
    .replace(/(datasource db \{\n\s*provider\s*=\s*"postgresql")/, '$1\n  url = env("DATABASE_URL")');
  writeFileSync(out, text);
  return out;
}

const latest = readdirSync(migrationsDir, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort()
  .at(-1);
const tmpDir = path.join(root, "prisma/.migrate-tmp");
mkdirSync(tmpDir, { recursive: true });
// Prisma 6 opens its driver adapter even for a schema-to-schema diff: give it a throw-away
// in-memory database (nothing is written to it).
const scratch = await startEmbeddedPostgres({});
try {
  const from = latest
    ? ["--from-schema-datamodel", forPrisma6(path.join(migrationsDir, latest, "schema.prisma"), path.join(tmpDir, "from.prisma"))]
    : ["--from-empty"];
  const to = forPrisma6(schemaPath, path.join(tmpDir, "to.prisma"));
  const cli = createRequire(import.meta.url).resolve("prisma6/build/index.js");
  // Asynchronous on purpose: the scratch database is served from this process's event loop.
  const result = await run(
    process.execPath,
    [cli, "migrate", "diff", "--config", path.join(root, "prisma/offline.config.ts"), ...from, "--to-schema-datamodel", to, "--script"],
    {
      ...process.env,
      DATABASE_URL: scratch.url,
      // Keeps the CLI from fetching native engines that this path does not use.
      PRISMA_QUERY_ENGINE_LIBRARY: "/bin/false",
      PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    },
  );
  const sql = result.stdout ?? "";
  const empty = !sql.trim() || /^-- This is an empty migration\.?\s*$/m.test(sql);
  if (result.status !== 0) {
    console.error(result.stderr || `prisma migrate diff failed (exit ${result.status})`);
    process.exitCode = 1;
  } else if (empty) {
    console.log("prisma/schema.prisma matches the migrations: nothing to write.");
  } else if (values.check) {
    console.error(`prisma/schema.prisma has changes that no migration holds. Run: npm run db:migrate -- --name <what_changed>\n\n${sql}`);
    process.exitCode = 1;
  } else if (values["dry-run"]) {
    process.stdout.write(sql);
  } else {
    const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
    const dir = path.join(migrationsDir, `${stamp}_${name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "migration.sql"), sql);
    copyFileSync(schemaPath, path.join(dir, "schema.prisma"));
    console.log(`Wrote ${path.relative(root, dir)}/migration.sql — review it, then \`npm run db:deploy\`.`);
  }
} finally {
  rmSync(tmpDir, { recursive: true, force: true });
  await scratch.stop();
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
