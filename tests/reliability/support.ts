// Shared parts of the fault tests: a Redis server of the test's own (so restarting it disturbs no
// one), an arXiv API stand-in serving generated result pages, worker processes started the way
// docker-compose.yml starts them, and waiting for a crawl run to end.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { appEnv, freePort, ROOT, watchChild, type AppProcess } from "../helpers/app-process";
import { startHttpServer, type ScriptStep, type TestHttpServer } from "../helpers/http-server";
import { randomPaperId } from "../helpers/seed";
import { waitFor } from "../helpers/wait";

// ── a private Redis ─────────────────────────────────────────────────────────────────────────────

export interface PrivateRedis {
  url: string;
  port: number;
  /** Stops the server the way `docker compose restart redis` does (SIGTERM: Redis flushes its AOF), then starts it again on the same port and data. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** redis-server on a free port with the persistence docker-compose.yml uses (AOF, fsync every second, noeviction). */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(tmpdir(), "reliability-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--maxmemory-policy", "noeviction", "--dir", dir],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout!.on("data", (d: Buffer) => (output += d));
    const deadline = Date.now() + 10_000;
    while (!/Ready to accept connections/.test(output)) {
      if (child.exitCode !== null) throw new Error(`redis-server exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    const current = child;
    if (!current || current.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      current.once("exit", () => resolve());
      current.kill("SIGTERM");
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1_000) {
      await stop();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    async stop() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ── an arXiv API stand-in ─────────────────────────────────────────────────────────────────────────

const escapeXml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export interface SyntheticEntry {
  id: string;
  title: string;
  abstract: string;
  authors: string[];
}

/** `count` entries with distinct random new-style ids. */
export function syntheticEntries(count: number, label = "Synthetic"): SyntheticEntry[] {
  const ids = new Set<string>();
  while (ids.size < count) ids.add(randomPaperId());
  return [...ids].map((id, i) => ({
    id,
    title: `${label} paper ${i} on sparse attention (${id})`,
    abstract: `We study item ${i} of a synthetic result set. It keeps $O(n \\log n)$ time.`,
    authors: ["Ada Lovelace", `Author ${i}`],
  }));
}

/** One page of arXiv API results (Atom, as export.arxiv.org/api/query answers). */
export function atomPage(entries: SyntheticEntry[], start: number, pageSize: number): string {
  const page = entries.slice(start, start + pageSize);
  const items = page
    .map(
      (e) => `  <entry>
    <id>http://arxiv.org/abs/${e.id}v1</id>
    <title>${escapeXml(e.title)}</title>
    <updated>2024-01-15T12:00:00Z</updated>
    <link href="https://arxiv.org/abs/${e.id}v1" rel="alternate" type="text/html"/>
    <link href="https://arxiv.org/pdf/${e.id}v1" rel="related" type="application/pdf" title="pdf"/>
    <summary>${escapeXml(e.abstract)}</summary>
    <category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
    <published>2024-01-15T12:00:00Z</published>
    <arxiv:primary_category term="cs.LG"/>
${e.authors.map((a) => `    <author>\n      <name>${escapeXml(a)}</name>\n    </author>`).join("\n")}
  </entry>`,
    )
    .join("\n");
  return `<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/synthetic</id>
  <title>arXiv Query: synthetic</title>
  <updated>2026-04-12T22:09:27Z</updated>
  <opensearch:itemsPerPage>${pageSize}</opensearch:itemsPerPage>
  <opensearch:totalResults>${entries.length}</opensearch:totalResults>
  <opensearch:startIndex>${start}</opensearch:startIndex>
${items}
</feed>
`;
}

/** An API stand-in answering `/api/query` from `entries`; `hold(start)` may delay or replace a page's answer. */
export async function startArxivStandIn(
  entries: SyntheticEntry[],
  pageSize: number,
  hold?: (start: number) => ScriptStep | undefined,
): Promise<TestHttpServer> {
  const server = await startHttpServer();
  server.script("/api/query", [
    (request) => {
      const start = Number(request.query.get("start") ?? 0);
      const special = hold?.(start);
      const body = atomPage(entries, start, pageSize);
      if (special === undefined) return { status: 200, body, headers: { "content-type": "application/atom+xml" } };
      if (typeof special === "function") return special(request);
      if (typeof special === "object") return { body, headers: { "content-type": "application/atom+xml" }, ...special };
      return special;
    },
  ]);
  return server;
}

// ── worker processes ────────────────────────────────────────────────────────────────────────────

/**
 * The worker process as docker-compose.yml runs it (`node --import tsx workers/index.ts`: one
 * process, so SIGTERM reaches the code that stops the workers; npm does not pass it on), in a
 * process group of its own, on the test database and the given Redis.
 */
export async function startWorker(overrides: Record<string, string>): Promise<AppProcess> {
  const env = appEnv({
    DATABASE_URL: inject("databaseUrl"),
    LOG_LEVEL: "info",
    CRAWL_ON_FIRST_START: "false",
    ARXIV_API_MIN_INTERVAL_MS: "0",
    ARXIV_REQUEST_TIMEOUT_MS: "20000",
    ARXIV_USER_AGENT: "paper-triage-reliability-tests",
    ...overrides,
  });
  const worker = watchChild(
    spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }),
    "worker",
  );
  await worker.waitFor(/workers started/, 60_000);
  return worker;
}

/** SIGKILL to the worker's process group: no handler runs. */
export async function killHard(worker: AppProcess): Promise<void> {
  try {
    process.kill(-worker.child.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await worker.exited;
}

// ── the database ────────────────────────────────────────────────────────────────────────────────

export async function withSql<T>(body: (sql: pg.Client) => Promise<T>, url = inject("databaseUrl")): Promise<T> {
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  try {
    return await body(sql);
  } finally {
    await sql.end();
  }
}

export interface RunRow {
  id: string;
  status: string;
  error: string | null;
  counts: Record<string, number>;
}

/** Polls crawl run `runId` until it has ended (succeeded, failed, no_announcement). */
export function waitForRun(runId: string, timeoutMs: number): Promise<RunRow> {
  return withSql((sql) =>
    waitFor(
      `crawl run ${runId} to end`,
      async () => (await sql.query(`SELECT id, status, error, counts FROM crawl_runs WHERE id = $1`, [runId])).rows[0] as RunRow | undefined,
      (row) => Boolean(row && ["succeeded", "failed", "no_announcement"].includes(row.status)),
      { timeoutMs, intervalMs: 200 },
    ),
  ) as Promise<RunRow>;
}

/** Rows stored for `ids`: papers, versions, and any id stored more than once (there must be none). */
export async function storedRows(ids: string[]) {
  return withSql(async (sql) => {
    const papers = (await sql.query(`SELECT id, title, abstract, authors FROM papers WHERE id = ANY($1) ORDER BY id`, [ids])).rows;
    const versions = (await sql.query(`SELECT paper_id, version FROM paper_versions WHERE paper_id = ANY($1) ORDER BY 1, 2`, [ids])).rows;
    return { papers, versions };
  });
}
