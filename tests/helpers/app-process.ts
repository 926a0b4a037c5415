// Runs `npm start` as a child in its own process group, like a terminal would, and stops it the
// way Ctrl+C does (SIGINT to the whole group).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export { freePort } from "../../lib/net";

export interface AppProcess {
  child: ChildProcess;
  output: () => string;
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
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
  return {
    child,
    output: () => output,
    exited,
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

/** PIDs still alive in the process group `pgid`. */
export function processesInGroup(pgid: number): number[] {
  const ps = spawnSync("ps", ["-eo", "pid=,pgid="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter(([pid, group]) => group === pgid && pid !== undefined)
    .map(([pid]) => pid!);
}
