// docker-compose.yml and the scale-out override docker-compose.scale.yml: validated and merged by
// Compose itself when Compose v2 is at hand (CI puts Debian's 2.26 at .tools/compose/docker-compose:
// scripts/ci/install-compose-v2.sh), and the main file's promises checked structurally everywhere.
// No Docker engine is needed: `config` only reads the files.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";

const root = path.resolve(import.meta.dirname, "../..");
const file = path.join(root, "docker-compose.yml");
const scaleFile = path.join(root, "docker-compose.scale.yml");
const compose = parse(readFileSync(file, "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; image?: string }>;
};

/** A Compose v2 command line: the binary CI unpacks, else `docker compose` when it is v2. */
function composeV2(): string[] | undefined {
  const local = path.join(root, ".tools/compose/docker-compose");
  if (existsSync(local)) return [local];
  const plugin = spawnSync("docker", ["compose", "version", "--short"], { encoding: "utf8" });
  return plugin.status === 0 && /^v?2\./.test(plugin.stdout.trim()) ? ["docker", "compose"] : undefined;
}
const v2 = composeV2();
if (!v2 && process.env.CI) throw new Error("CI needs Compose v2 (bash scripts/ci/install-compose-v2.sh)");

function runCompose(files: string[], args: string[], env: Record<string, string> = {}) {
  const [bin, ...pre] = v2!;
  // Only PATH and HOME from this process: no AUTH_SECRET or WEB_PORT of the caller's leaks into the check.
  const base: NodeJS.ProcessEnv = { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH, HOME: process.env.HOME };
  return spawnSync(bin!, [...pre, ...files.flatMap((f) => ["-f", f]), ...args], { encoding: "utf8", env: { ...base, ...env } });
}

test.skipIf(!v2)("Compose accepts the file", () => {
  const result = runCompose([file], ["config", "-q"]);
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
});

test.skipIf(!v2)("the scale-out override: replicas behind the proxy, one published port, shared secret, trusted proxy network", () => {
  // Without AUTH_SECRET it refuses, naming it: replicas must sign sessions alike.
  const missing = runCompose([file, scaleFile], ["config", "-q"]);
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain("set AUTH_SECRET to 32+ random characters");

  const result = runCompose([file, scaleFile], ["config", "--format", "json"], { AUTH_SECRET: "a".repeat(64), WEB_REPLICAS: "4" });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const merged = JSON.parse(result.stdout) as {
    services: Record<string, { ports?: { published: string; target: number }[]; deploy?: { replicas: number }; environment?: Record<string, string>; command?: string[]; depends_on?: Record<string, unknown> }>;
  };
  const { web, worker, proxy } = merged.services;
  expect(web!.ports ?? []).toEqual([]); // replicas cannot share a host port: only the proxy publishes one
  expect(web!.deploy!.replicas).toBe(4);
  expect(web!.environment!.AUTH_SECRET).toBe("a".repeat(64));
  expect(web!.environment!.TRUSTED_PROXIES!.split(",")).toEqual(expect.arrayContaining(["172.16.0.0/12", "10.0.0.0/8", "192.168.0.0/16"]));
  // What the main file gives every replica stays: the database, Redis, the page cache front.
  expect(web!.environment!.DATABASE_URL).toMatch(/@postgres:5432\//);
  expect(web!.environment!.REDIS_URL).toBe("redis://redis:6379");
  expect(proxy!.ports).toEqual([expect.objectContaining({ published: "3000", target: 80 })]);
  expect(proxy!.command!.join(" ")).toContain("--to web:3000");
  expect(Object.keys(proxy!.depends_on!)).toEqual(["web"]);
  expect(worker!.environment!.REDIS_URL).toBe("redis://redis:6379");
});

test("postgres has pgvector, redis keeps jobs, every service has a healthcheck", () => {
  const { services } = compose;
  expect(Object.keys(services).sort()).toEqual(["postgres", "redis", "web", "worker"]);
  expect(services.postgres!.image).toMatch(/^pgvector\/pgvector:/);
  const redis = services.redis!.command!.join(" ");
  expect(redis).toContain("--maxmemory-policy noeviction");
  expect(redis).toContain("--appendonly yes");
  for (const [name, service] of Object.entries(services)) {
    expect(service.healthcheck?.test, `${name} healthcheck`).toBeDefined();
  }
  expect(services.web!.depends_on).toMatchObject({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
  expect(services.worker!.depends_on).toMatchObject({ web: { condition: "service_healthy" } });
  for (const name of ["web", "worker"]) {
    expect(services[name]!.environment!.DATABASE_URL).toMatch(/^postgresql:\/\/.+@postgres:5432\//);
    expect(services[name]!.environment!.REDIS_URL).toBe("redis://redis:6379");
  }
});
