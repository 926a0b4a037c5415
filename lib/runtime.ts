// How command-line scripts reach the database. The embedded database can be open in one process
// only: while `npm start` runs, it publishes its address in DATA_DIR/runtime.json and scripts
// connect through it; otherwise a script opens the embedded database itself.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { useDatabaseUrl } from "./db";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "./embedded-postgres";
import { env } from "./env";

interface RuntimeInfo {
  pid: number;
  databaseUrl: string;
  startedAt: string;
}

export function runtimeFile(dataDir = env().DATA_DIR): string {
  return path.resolve(dataDir, "runtime.json");
}

export function publishRuntime(info: Omit<RuntimeInfo, "startedAt">, dataDir?: string): void {
  writeFileSync(runtimeFile(dataDir), JSON.stringify({ ...info, startedAt: new Date().toISOString() }, null, 2));
}

export function clearRuntime(dataDir?: string): void {
  rmSync(runtimeFile(dataDir), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The running app's database address, when `npm start` is running on the embedded database. */
export function runningApp(dataDir?: string): RuntimeInfo | undefined {
  const file = runtimeFile(dataDir);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as RuntimeInfo;
    return alive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export interface ScriptDatabase {
  url: string;
  /** How it was reached, for the script's first line of output. */
  description: string;
  /** The schema of the queue tables on this database (embedded: public). */
  queueSchema: string;
  /** True when this process opened the embedded database (no app is running). */
  ownsEmbedded: boolean;
  close(): Promise<void>;
}

/**
 * DATABASE_URL, else the running app's embedded database, else the embedded database opened here;
 * this process's Prisma client (lib/db.ts) then uses it.
 */
export async function openScriptDatabase(): Promise<ScriptDatabase> {
  const database = await findScriptDatabase();
  useDatabaseUrl(database.url);
  return database;
}

async function findScriptDatabase(): Promise<ScriptDatabase> {
  const config = env();
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, description: "PostgreSQL (DATABASE_URL)", queueSchema: config.QUEUE_PG_SCHEMA, ownsEmbedded: false, close: async () => {} };
  }
  const running = runningApp();
  if (running) {
    return {
      url: running.databaseUrl,
      description: `the running app's embedded database (pid ${running.pid})`,
      queueSchema: "public",
      ownsEmbedded: false,
      close: async () => {},
    };
  }
  const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir: path.resolve(config.DATA_DIR, "pglite") });
  return {
    url: embedded.url,
    description: `the embedded database in ${embedded.dataDir} (the app is not running)`,
    queueSchema: "public",
    ownsEmbedded: true,
    close: () => embedded.stop(),
  };
}
