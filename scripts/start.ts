// `npm start`: the whole app in one command. Starts the embedded PostgreSQL when DATABASE_URL is
// unset, applies migrations, builds the web app when its build is missing or older than the
// sources, then runs the web server (scripts/web.ts: Next.js behind the page cache) and the queue workers as child processes. Ctrl+C (or
// SIGTERM) stops the children first, waits for them, then closes the database.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { keptAuthSecret } from "../lib/auth-secret";
import { buildIsStale, buildWebApp } from "../lib/build";
import { checkDatabase, checkRedis, StartupError } from "../lib/connectivity";
import { EmbeddedDatabaseError, startEmbeddedPostgres, type EmbeddedPostgres } from "../lib/embedded-postgres";
import { embeddingModelDir, locateModel } from "../lib/embed/model-files";
import { ConfigError, loadDotEnv, localUrl, parseEnv } from "../lib/env";
import { applyMigrations, MigrationError } from "../lib/migrate";
import { waitForHttp } from "../lib/net";
import { redactUrl } from "../lib/queue";
import { clearRuntime, publishRuntime, runningApp } from "../lib/runtime";

const root = path.resolve(import.meta.dirname, "..");
const started = performance.now();
const say = (line: string) => process.stdout.write(`[start] ${line}\n`);
const children: ChildProcess[] = [];

async function main(): Promise<void> {
  loadDotEnv(path.join(root, ".env"));
  const config = parseEnv(process.env);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  // Sessions must survive restarts: without AUTH_SECRET one is kept beside the data.
  if (!config.AUTH_SECRET) childEnv.AUTH_SECRET = keptAuthSecret(path.resolve(root, config.DATA_DIR));

  if (config.REDIS_URL) await checkRedis(config.REDIS_URL);

  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL;
  let databaseLine: string;
  if (databaseUrl) {
    await checkDatabase(databaseUrl);
    databaseLine = `PostgreSQL at ${redactUrl(databaseUrl)}`;
  } else {
    const dataDir = path.resolve(root, config.DATA_DIR, "pglite");
    const other = runningApp(path.resolve(root, config.DATA_DIR));
    if (other) {
      throw new StartupError(
        `the app is already running on ${dataDir} (pid ${other.pid}); the embedded database can be open in one process only. Stop it first.`,
      );
    }
    say(`opening the embedded database in ${dataDir} …`);
    embedded = await startEmbeddedPostgres({ dataDir });
    databaseUrl = embedded.url;
    childEnv.DATABASE_URL = databaseUrl;
    // On the embedded engine all connections share one session, so the queue tables must live in
    // the default schema (see README, "Embedded mode").
    childEnv.QUEUE_PG_SCHEMA = "public";
    databaseLine = `embedded PostgreSQL (PGlite), data in ${dataDir}`;
    // Command-line scripts (npm run crawl, import:kaggle, db:deploy) connect through this.
    publishRuntime({ pid: process.pid, databaseUrl }, path.resolve(root, config.DATA_DIR));
  }

  const migrations = await applyMigrations(databaseUrl, { log: (l) => say(l) });
  if (migrations.applied.length) say(`applied ${migrations.applied.length} migration(s)`);

  const queueLine = config.REDIS_URL
    ? `BullMQ on Redis at ${redactUrl(config.REDIS_URL)}`
    : `BullMQ on PostgreSQL (${embedded ? "the embedded database" : "the same database"})`;

  if (buildIsStale(root)) {
    say("building the web app (first start or sources changed) …");
    if (buildWebApp(childEnv, root) !== 0) throw new StartupError("`next build` failed; see the output above.");
  }

  const url = localUrl(config);
  const web = spawn(process.execPath, ["--import", "tsx", path.join(root, "scripts/web.ts")], {
    cwd: root,
    env: childEnv,
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(web);
  if (config.START_WORKERS) {
    const worker = spawn(process.execPath, ["--import", "tsx", path.join(root, "workers/index.ts")], {
      cwd: root,
      env: childEnv,
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.push(worker);
  }

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say("stopping …");
    await Promise.all(children.map((child) => stopChild(child)));
    if (embedded) clearRuntime(path.resolve(root, config.DATA_DIR));
    await embedded?.stop();
    say("stopped");
    process.exit(code);
  };
  process.on("SIGINT", () => void stop(0));
  process.on("SIGTERM", () => void stop(0));
  for (const child of children) {
    child.on("exit", (code, signal) => {
      if (stopping) return;
      say(`a child process exited unexpectedly (code ${code}, signal ${signal}); stopping everything`);
      void stop(1);
    });
  }

  if (!(await waitForHttp(`${url}/api/health`, 60_000))) throw new StartupError(`the web server did not answer at ${url} within 60 s`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  say(`ready in ${seconds} s`);
  say(`  web       ${url}`);
  say(`  database  ${databaseLine}`);
  say(`  queue     ${queueLine}`);
  say(`  workers   ${config.START_WORKERS ? "running" : "not started (START_WORKERS=false)"}`);
  say(`  data      ${path.resolve(root, config.DATA_DIR)}`);
  const model = locateModel(embeddingModelDir());
  say(
    model.ok
      ? `  relevance embeddings (${model.onnxFile}, ${config.EMBEDDING_DEVICE})`
      : "  topics learn from words only: no embedding model yet. `npm run model:download` fetches all-MiniLM-L6-v2 (~23 MB).",
  );
  say("Press Ctrl+C to stop.");
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

main().catch((error: unknown) => {
  const expected =
    error instanceof ConfigError ||
    error instanceof StartupError ||
    error instanceof EmbeddedDatabaseError ||
    error instanceof MigrationError;
  process.stderr.write(`[start] ${expected ? (error as Error).message : (error as Error).stack}\n`);
  for (const child of children) child.kill("SIGTERM");
  process.exit(1);
});
