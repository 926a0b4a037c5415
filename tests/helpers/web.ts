// The production web server (`next start`, built by the test setup) on the test database, for page
// tests: one per test file, on a free port, stopped at the end.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { inject } from "vitest";
import { ROOT } from "../../lib/build";
import { freePort } from "./app-process";

export interface WebServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * `next start` on a free port, or with `front` the web server as `npm start` runs it
 * (scripts/web.ts: WEB_PROCESSES `next start` behind the page cache; set those in `env`).
 */
export async function startWeb(env: Record<string, string> = {}, options: { front?: boolean } = {}): Promise<WebServer & { pid: number }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    options.front
      ? ["--import", "tsx", path.join(ROOT, "scripts/web.ts")]
      : [path.join(ROOT, "node_modules/next/dist/bin/next"), "start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: "production",
        NEXT_TELEMETRY_DISABLED: "1",
        DATABASE_URL: inject("databaseUrl"),
        QUEUE_PG_SCHEMA: inject("databaseKind") === "embedded" ? "public" : "bullmq",
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: "warn",
        AUTH_SECRET: "test-secret-0123456789abcdef0123456789abcdef",
        // Test files run in parallel against one database, from one address: their sign-ins would
        // share one rate-limit counter. tests/reliability/sign-in-limits.test.ts sets a real limit.
        AUTH_RATE_LIMIT: "0",
        HOST: "127.0.0.1",
        PORT: String(port),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d));
  child.stderr!.on("data", (d: Buffer) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      const response = await fetch(`${url}/api/health`);
      if (response.status < 500 || response.status === 503) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid!,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
