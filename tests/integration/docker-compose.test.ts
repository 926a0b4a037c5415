// docker-compose.yml: validated by Compose itself when a Compose binary is installed (CI installs
// Debian's docker-compose), and its promises checked structurally everywhere.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";

const file = path.resolve(import.meta.dirname, "../../docker-compose.yml");
const compose = parse(readFileSync(file, "utf8"), { merge: true }) as {
  services: Record<string, { command?: string[]; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; environment?: Record<string, string>; image?: string }>;
};

const composeBinary = ["docker-compose", "docker"].find((bin) => {
  const args = bin === "docker" ? ["compose", "version"] : ["version"];
  return spawnSync(bin, args, { stdio: "ignore" }).status === 0;
});
if (!composeBinary && process.env.CI) throw new Error("CI needs a Compose binary (apt-get install docker-compose)");

test.skipIf(!composeBinary)("Compose accepts the file", () => {
  const args = composeBinary === "docker" ? ["compose", "-f", file, "config", "-q"] : ["-f", file, "config", "-q"];
  const result = spawnSync(composeBinary!, args, { encoding: "utf8" });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
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
