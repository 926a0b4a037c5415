// `npm run crawl`: the dry-run parser a user debugs feeds with, argument errors, and a real crawl
// from the command line (processing its own job with --inline) into the test database.
import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { ROOT } from "../helpers/app-process";
import { fixture, FIXTURES } from "../helpers/fixtures";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";

let arxiv: TestHttpServer;
beforeAll(async () => {
  arxiv = await startHttpServer({ "/rss/stat": [{ status: 200, body: fixture("rss/stat_2024-03-26.xml") }] });
});
afterAll(() => arxiv.close());

function crawl(args: string[], env: Record<string, string | undefined> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", ...env };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/crawl.ts", ...args], { cwd: ROOT, env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("--file --dry-run --json prints one JSON object per entry", { timeout: 30_000 }, async () => {
  const { code, stdout } = await crawl(["--file", `${FIXTURES}/rss/quant-ph_2025-04-28.xml`, "--dry-run", "--json"]);
  expect(code).toBe(0);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines).toHaveLength(81);
  expect(lines[0]).toEqual({
    id: "2504.17830",
    version: 1,
    announce_type: "new",
    title: "Self-Adjoint Time Operator in a Weighted Energy Space",
    authors: ["Radmir Kokoulin"],
    categories: ["quant-ph"],
  });
  expect(lines.filter((l) => l.announce_type === "replace-cross")).toHaveLength(9);
});

test("bad arguments and a malformed file are one clear line, exit 2", { timeout: 30_000 }, async () => {
  const range = await crawl(["--category", "cs.CL", "--from", "2024-03-10", "--to", "2024-03-01"]);
  expect(range.code).toBe(2);
  expect(range.stderr).toContain("--from 2024-03-10 is after --to 2024-03-01");
  // A day the calendar lacks is refused here, with the other arguments, not by PostgreSQL later.
  const noSuchDay = await crawl(["--category", "cs.CL", "--date", "2026-02-30"]);
  expect(noSuchDay.code).toBe(2);
  expect(noSuchDay.stderr).toContain('--date must be a date like 2025-04-28, not "2026-02-30"');
  const category = await crawl(["--category", "not a category", "--date", "2024-03-01"], { DATABASE_URL: inject("databaseUrl") });
  expect(category.code).toBe(2);
  expect(category.stderr).toContain('"not a category" is not an arXiv category');
  const broken = await crawl(["--file", `${ROOT}/package.json`, "--dry-run"]);
  expect(broken.code).toBe(2);
  expect(broken.stderr).toMatch(/^arXiv RSS feed: not XML/);
  expect(broken.stderr).not.toMatch(/^\s+at /m);
});

test("a crawl from the command line stores the feed and prints a summary", { timeout: 60_000 }, async () => {
  const { code, stderr } = await crawl(["--category", "stat", "--inline"], {
    DATABASE_URL: inject("databaseUrl"),
    REDIS_URL: undefined,
    QUEUE_PG_SCHEMA: "cli_test_queue",
    ARXIV_RSS_URL: `${arxiv.url}/rss`,
  });
  expect(stderr).toMatch(/done in [\d.]+ s: 35 new, 27 cross-lists, 41 replacements, 20 replaced cross-lists/);
  expect(code).toBe(0);
  const sql = new pg.Client({ connectionString: inject("databaseUrl") });
  await sql.connect();
  const run = await sql.query(`SELECT trigger, status, categories FROM crawl_runs WHERE trigger = 'cli' ORDER BY created_at DESC LIMIT 1`);
  const listed = await sql.query(`SELECT count(*)::int AS n FROM listings WHERE category = 'stat' AND date = '2024-03-26'`);
  await sql.end();
  expect(run.rows[0]).toEqual({ trigger: "cli", status: "succeeded", categories: ["stat"] });
  expect(listed.rows[0].n).toBe(123);
});
