// What the benchmarks share: a scratch database on the PostgreSQL server of DATABASE_URL (or an
// embedded one in a temp dir), the line describing the machine, and the production web server (built
// first when stale) on a free port.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { buildIsStale, buildWebApp, ROOT } from "../lib/build";
import { startEmbeddedPostgres } from "../lib/embedded-postgres";
import { redactUrl } from "../lib/queue";

/** CPUs, RAM, Node and the load average: other processes skew timings, and the load says how much. */
export function machineLine(): string {
  const cpus = os.cpus();
  return (
    `machine: ${cpus.length} CPUs, ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; ` +
    `Node ${process.version} on ${os.platform()}/${os.arch()}; ${loadLine()}`
  );
}

export function loadLine(): string {
  return `load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")} (1/5/15 min)`;
}

export interface BenchDatabase {
  url: string;
  /** What it is, for the output: server and version, or the embedded engine and its directory. */
  description: string;
  embedded: boolean;
  drop(): Promise<void>;
}

/**
 * A scratch database: `<prefix>_<random>` on the server of DATABASE_URL (dropped at the end), or,
 * when DATABASE_URL is unset or `embedded` is asked for, an embedded PostgreSQL (PGlite) in a temp
 * directory (removed at the end).
 */
export async function benchDatabase(prefix: string, options: { embedded?: boolean } = {}): Promise<BenchDatabase> {
  const server = process.env.DATABASE_URL;
  if (server && !options.embedded) {
    const name = `${prefix}_${randomBytes(4).toString("hex")}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const version = (await admin.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v;
    await admin.end();
    const url = new URL(server);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      description: `PostgreSQL ${version} at ${redactUrl(server)}, scratch database ${name} (dropped at the end)`,
      embedded: false,
      async drop() {
        const c = new pg.Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-pglite-`));
  const embedded = await startEmbeddedPostgres({ dataDir });
  return {
    url: embedded.url,
    description: `embedded PostgreSQL (PGlite) in ${dataDir} (${server ? "--embedded" : "DATABASE_URL is unset"}; removed at the end)`,
    embedded: true,
    async drop() {
      await embedded.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface ScratchDatabase {
  /** The server's address (for printing), without credentials' database. */
  server: URL;
  url: string;
  drop(): Promise<void>;
}

/** Creates `<prefix>_<random>` on the server of DATABASE_URL (default: the local PostgreSQL). */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const server = new URL(process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  const name = `${prefix}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    server,
    url: url.toString(),
    async drop() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

export interface BenchServer {
  port: number;
  base: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * `next start` on 127.0.0.1 with `env` added, after building when the build is stale. With
 * `front`, the web server as `npm start` runs it: scripts/web.ts, `next start` behind the page cache.
 */
export function startNextServer(env: Record<string, string>, stdio: "inherit" | "ignore" = "inherit", options: { front?: boolean } = {}): BenchServer {
  if (buildIsStale()) {
    console.log("building the web app first …");
    if (buildWebApp({ ...process.env, NEXT_TELEMETRY_DISABLED: "1" }) !== 0) throw new Error("next build failed");
  }
  const port = 3900 + Math.floor(Math.random() * 90);
  const args = options.front ? ["--import", "tsx", path.join(ROOT, "scripts/web.ts")] : [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" as const, AUTH_SECRET: randomBytes(32).toString("hex"), LOG_LEVEL: "warn", NEXT_TELEMETRY_DISABLED: "1", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", "ignore", stdio],
  });
  return {
    port,
    base: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
