// Log format: readable lines on a terminal, one JSON object per line when piped, LOG_FORMAT overriding.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PassThrough } from "node:stream";
import { expect, test } from "vitest";
import { ConfigError, parseEnv } from "../../lib/env";
import { createLogger, logFormat } from "../../lib/logger";

const ROOT = path.resolve(import.meta.dirname, "../..");

test.each([
  [undefined, true, "pretty"],
  [undefined, false, "json"],
  [undefined, undefined, "json"],
  ["json", true, "json"],
  ["pretty", false, "pretty"],
] as const)("LOG_FORMAT=%s with a terminal %s: %s", (setting, isTTY, format) => {
  expect(logFormat(setting, isTTY)).toBe(format);
});

test("LOG_FORMAT takes pretty or json; empty is unset; anything else is refused by name", () => {
  expect(parseEnv({ LOG_FORMAT: "json" }).LOG_FORMAT).toBe("json");
  expect(parseEnv({ LOG_FORMAT: "pretty" }).LOG_FORMAT).toBe("pretty");
  expect(parseEnv({ LOG_FORMAT: "" }).LOG_FORMAT).toBeUndefined();
  expect(parseEnv({}).LOG_FORMAT).toBeUndefined();
  expect(() => parseEnv({ LOG_FORMAT: "xml" })).toThrow(ConfigError);
  expect(() => parseEnv({ LOG_FORMAT: "xml" })).toThrow(/LOG_FORMAT:/);
});

function captured() {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (d: Buffer) => (text += d));
  return { stream, text: () => text };
}

test("json: one JSON object per line, with the module and the fields", () => {
  const out = captured();
  createLogger({ level: "info", format: "json", destination: out.stream }).child({ module: "crawl" }).info({ day: "2024-05-01" }, "crawled 12 papers");
  const lines = out.text().trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, module: "crawl", day: "2024-05-01", msg: "crawled 12 papers", pid: process.pid });
});

test("pretty: one readable line per event (time, level, pid, module, message, fields), written synchronously, no colour codes off a terminal", () => {
  const out = captured();
  const log = createLogger({ level: "info", format: "pretty", destination: out.stream }).child({ module: "crawl" });
  log.warn({ status: 503 }, "arXiv answered");
  const text = out.text();
  expect(text).toMatch(new RegExp(`^\\[\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\] WARN \\(${process.pid}\\): \\[crawl\\] arXiv answered \\{"status":503\\}\\n$`));
  expect(() => JSON.parse(text)).toThrow();
  expect(text).not.toContain("\u001b[");
});

// The real choice in a process: whether its standard output is a terminal.
const logOneLine = [
  "--import",
  "tsx",
  "--input-type=module",
  "-e",
  `const { childLogger } = await import(${JSON.stringify(path.join(ROOT, "lib/logger.ts"))}); childLogger("crawl").info("hello"); process.exit(0);`,
];

function runChild(env: Record<string, string | undefined>) {
  const result = spawnSync(process.execPath, logOneLine, { cwd: ROOT, encoding: "utf8", env: { ...process.env, LOG_LEVEL: "info", ...env } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

test("a process whose output is piped writes JSON", () => {
  const stdout = runChild({ LOG_FORMAT: undefined });
  expect(JSON.parse(stdout.trim())).toMatchObject({ level: 30, module: "crawl", msg: "hello" });
});

test("LOG_FORMAT=pretty gives readable lines even when piped", () => {
  expect(runChild({ LOG_FORMAT: "pretty" })).toMatch(/^\[[\d:.]+\] INFO \(\d+\): \[crawl\] hello\n$/);
});

// util-linux `script` runs the command on a pseudo-terminal, like an operator's shell.
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).stdout?.includes("util-linux") ?? false;

test.skipIf(!hasScript)("a process on a terminal writes readable lines; LOG_FORMAT=json keeps JSON there", () => {
  const onTerminal = (logFormatSetting: string | undefined) => {
    const command = [process.execPath, ...logOneLine].map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "info", LOG_FORMAT: logFormatSetting };
    if (logFormatSetting === undefined) delete env.LOG_FORMAT;
    const result = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: ROOT, encoding: "utf8", env });
    expect(result.status, result.stderr).toBe(0);
    // eslint-disable-next-line no-control-regex
    return result.stdout.replace(/\u001b\[[0-9;]*[A-Za-z]/g, "").replaceAll("\r", "").trim();
  };
  expect(onTerminal(undefined)).toMatch(/^\[[\d:.]+\] INFO \(\d+\): \[crawl\] hello$/);
  expect(JSON.parse(onTerminal("json"))).toMatchObject({ level: 30, module: "crawl", msg: "hello" });
});
