// Runs `npm start` (or any npm script) as a child in its own process group, like a terminal would,
// and stops it the way Ctrl+C does (SIGINT to the whole group). appEnv gives the children the test
// harness's forced settings; userEnv gives them only what a user's shell would hold.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";
import { envSchema } from "../../lib/env";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export { freePort } from "../../lib/net";

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Once its output is all read: every process holding its stdout/stderr (npm's children too) has exited. */
  closed: Promise<void>;
}

/** Environment for a child app: this one's, without the test harness's database and queue settings. */
export function appEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", NODE_ENV: "production" };
  for (const key of ["DATABASE_URL", "REDIS_URL", "QUEUE_PG_SCHEMA", "VITEST", "VITEST_POOL_ID", "VITEST_WORKER_ID"]) delete env[key];
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export function startApp(env: NodeJS.ProcessEnv, args: string[] = ["start"]): AppProcess {
  return watchChild(spawn("npm", args, { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }), "app");
}

/** Collects a child's output and exit, and waits for a line in it (`name` in the error messages). */
export function watchChild(child: ChildProcess, name: string): AppProcess {
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d));
  child.stderr!.on("data", (d: Buffer) => (output += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  return {
    child,
    output: () => output,
    exited,
    closed,
    async waitFor(pattern, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output)) {
        if (child.exitCode !== null) throw new Error(`${name} exited before ${pattern}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

/**
 * The worker process as `npm run worker` runs it (`node --import tsx workers/index.ts`: one process, so that
 * signals reach it), in a process group of its own, with `settings` (its database, queues, model)
 * over appEnv's; resolves once it says it has started. It crawls nothing at its start; should
 * anything try, it meets a closed port, not arXiv.
 */
export async function startWorker(settings: Record<string, string | undefined>): Promise<AppProcess> {
  const env = appEnv({
    LOG_LEVEL: "info",
    CRAWL_ON_FIRST_START: "false",
    ARXIV_RSS_URL: "http://127.0.0.1:9/rss",
    ARXIV_API_URL: "http://127.0.0.1:9/api/query",
    ...settings,
  });
  const child = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const started = watchChild(child, "worker");
  await started.waitFor(/workers started/, 60_000);
  return started;
}

/** Stops a worker of startWorker's, if still running: resumed (should it be held by SIGSTOP), SIGTERM to its group, SIGKILL after 20 s. */
export async function stopWorker(worker: AppProcess | undefined): Promise<void> {
  if (worker?.child.exitCode !== null) return;
  try {
    process.kill(-worker.child.pid!, "SIGCONT");
    process.kill(-worker.child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
  const stopped = await Promise.race([worker.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20_000))]);
  if (!stopped) process.kill(-worker.child.pid!, "SIGKILL");
}

/** PIDs still alive in the process group `pgid`. */
export function processesInGroup(pgid: number): number[] {
  const ps = spawnSync("ps", ["-eo", "pid=,pgid="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && pid !== undefined)
    .map(([pid]) => pid!);
}

/**
 * The environment of a user's shell for the README's own commands: this process's, less every
 * variable the app reads (lib/env.ts's schema: NODE_ENV, DATABASE_URL, REDIS_URL, PUBLIC_URL,
 * AUTH_SECRET, QUEUE_PG_SCHEMA, LOG_LEVEL, ...) and the test runner's own, plus `settings`, the
 * variables the README tells a user to set in the situation under test. Unlike appEnv, it forces
 * nothing: no NODE_ENV, no LOG_LEVEL.
 */
export function userEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key in envSchema.shape || key.startsWith("VITEST") || key.startsWith("TEST_")) continue;
    env[key] = value;
  }
  // Typed NodeJS.ProcessEnv for spawn; Next.js's types declare NODE_ENV always present, which here it is not.
  return { ...env, ...settings } as NodeJS.ProcessEnv;
}

/** Stops `app` like Ctrl+C in its terminal: SIGINT to its whole process group; then what is left of the group. */
export async function stopLikeCtrlC(app: AppProcess, timeoutMs = 40_000): Promise<{ exit: { code: number | null; signal: NodeJS.Signals | null }; leftover: number[] }> {
  const pgid = app.child.pid!;
  if (app.child.exitCode !== null || app.child.signalCode !== null) {
    throw new Error(`it had already exited (${app.child.exitCode ?? app.child.signalCode}):\n${app.output().slice(-4000)}`);
  }
  process.kill(-pgid, "SIGINT");
  const exit = await Promise.race([
    app.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${timeoutMs / 1000} s after Ctrl+C (processes ${processesInGroup(pgid).join(", ")})`)), timeoutMs)),
  ]);
  // Give the group's last members a moment to be reaped, then nothing may remain.
  const deadline = Date.now() + 5_000;
  while (processesInGroup(pgid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  // npm dies of the SIGINT at once; what it ran writes its last lines ("[start] stopped") while it
  // stops, into the same pipe: read them all before anyone looks at the output.
  await Promise.race([app.closed, new Promise((r) => setTimeout(r, 5_000))]);
  return { exit, leftover: processesInGroup(pgid) };
}

/** Kills whatever is left of `app`'s process group (cleanup after a failed test). */
export function killGroup(app: AppProcess | undefined): void {
  if (!app?.child.pid) return;
  try {
    process.kill(-app.child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Runs `npm <args>` to its end in a process group of its own, as from a second terminal; killed after `timeoutMs`. */
export async function runNpm(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const run = startApp(env, args);
  const timer = setTimeout(() => killGroup(run), timeoutMs);
  const exit = await run.exited;
  clearTimeout(timer);
  const output = run.output();
  if (exit.signal === "SIGKILL") throw new Error(`\`npm ${args.join(" ")}\` did not end within ${timeoutMs / 1000} s:\n${output.slice(-4000)}`);
  return { ...exit, output };
}
