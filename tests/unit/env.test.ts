// Configuration: defaults, and a wrong value named with what it expects.
import { expect, test } from "vitest";
import { ConfigError, parseEnv } from "../../lib/env";

test("defaults need no variables at all", () => {
  const config = parseEnv({});
  expect(config.DATABASE_URL).toBeUndefined();
  expect(config.REDIS_URL).toBeUndefined();
  expect(config.PORT).toBe(3000);
  expect(config.DATA_DIR).toBe("./data");
  expect(config.ARXIV_CATEGORIES).toEqual(["cs.AI", "cs.CL", "cs.LG", "cs.CV"]);
  expect(config.EMBEDDING_DEVICE).toBe("cpu");
});

test.each([
  ["PORT", "not-a-port", /PORT:/],
  ["PORT", "70000", /PORT:/],
  ["REDIS_URL", "localhost:6379", /REDIS_URL: expected a URL starting with redis:\/\//],
  ["DATABASE_URL", "mysql://x@y/z", /DATABASE_URL: expected a URL starting with postgres:\/\//],
  ["EMBEDDING_DEVICE", "tpu", /EMBEDDING_DEVICE:/],
  ["ARXIV_CATEGORIES", "cs.AI, not a category!", /ARXIV_CATEGORIES: expected a comma-separated list/],
  ["LOG_LEVEL", "loud", /LOG_LEVEL:/],
])("%s=%s is refused with the variable named", (name, value, message) => {
  expect(() => parseEnv({ [name]: value })).toThrow(ConfigError);
  expect(() => parseEnv({ [name]: value })).toThrow(message);
});

test("every bad variable is reported at once", () => {
  try {
    parseEnv({ PORT: "x", EMBEDDING_DEVICE: "tpu" });
    expect.unreachable();
  } catch (error) {
    expect((error as ConfigError).issues.map((i) => i.variable).sort()).toEqual(["EMBEDDING_DEVICE", "PORT"]);
  }
});

test("empty strings count as unset for optional URLs", () => {
  expect(parseEnv({ DATABASE_URL: "", REDIS_URL: " " }).REDIS_URL).toBeUndefined();
});

test(".env.example documents every variable the app reads", async () => {
  const { readFile } = await import("node:fs/promises");
  const { envSchema } = await import("../../lib/env");
  const example = await readFile(new URL("../../.env.example", import.meta.url), "utf8");
  const documented = new Set([...example.matchAll(/^# ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  // WEB_FRONT_PORT is no setting: scripts/web.ts hands it to the Next.js processes it starts.
  const missing = Object.keys(envSchema.shape).filter((key) => key !== "NODE_ENV" && key !== "WEB_FRONT_PORT" && !documented.has(key));
  expect(missing).toEqual([]);
});
