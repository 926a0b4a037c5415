// `npm run model:download` against a local HTTP server laid out like huggingface.co (MODEL_DOWNLOAD_URL):
// downloads, verifies (recorded sha256; the ONNX file by loading it), and refuses a corrupted file
// without leaving it in place.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server";

const ROOT = path.resolve(import.meta.dirname, "../..");
const MODEL = path.join(ROOT, "tests/fixtures/models/all-MiniLM-L6-v2");
const TOKENIZER_FILES = ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"];

let server: TestHttpServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startHttpServer();
});
afterAll(async () => {
  await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function serveModel(overrides: Record<string, Uint8Array> = {}) {
  for (const file of TOKENIZER_FILES) {
    server.script(`/sentence-transformers/all-MiniLM-L6-v2/resolve/main/${file}`, [{ status: 200, body: overrides[file] ?? readFileSync(path.join(MODEL, file)) }]);
  }
  server.script("/Xenova/all-MiniLM-L6-v2/resolve/main/onnx/model_quantized.onnx", [
    { status: 200, body: readFileSync(path.join(MODEL, "onnx/model_quantized.onnx")) },
  ]);
}

function runDownload(dir: string, baseUrl: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/model-download.ts"], {
      cwd: ROOT,
      env: { ...process.env, EMBEDDING_MODEL_DIR: dir, MODEL_DOWNLOAD_URL: baseUrl, LOG_LEVEL: "warn" },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    child.stderr.on("data", (d: Buffer) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "model-dl-"));
  dirs.push(dir);
  return path.join(dir, "all-MiniLM-L6-v2");
}

test("downloads every file, verifies it, and a second run downloads nothing", async () => {
  serveModel();
  const dir = tempDir();
  const first = await runDownload(dir, server.url);
  expect(first.code, first.out).toBe(0);
  expect(first.out).toContain("verified: tokenizer and config match their recorded sha256");
  expect(first.out).toContain("onnx/model_quantized.onnx opens with inputs input_ids, attention_mask, token_type_ids");
  for (const file of [...TOKENIZER_FILES, "onnx/model_quantized.onnx"]) {
    expect(readFileSync(path.join(dir, file))).toEqual(readFileSync(path.join(MODEL, file)));
  }
  const before = server.requests.length;
  const second = await runDownload(dir, server.url);
  expect(second.code, second.out).toBe(0);
  expect(second.out).toContain("tokenizer.json: present, sha256 matches");
  expect(server.requests.length).toBe(before);
});

test("a file that does not match its recorded sha256 is refused and not kept", async () => {
  const tampered = readFileSync(path.join(MODEL, "vocab.txt"));
  tampered[10] = tampered[10]! ^ 1;
  serveModel({ "vocab.txt": tampered });
  const dir = tempDir();
  const result = await runDownload(dir, server.url);
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/model download failed: vocab\.txt from http:\/\/127\.0\.0\.1:\d+\/sentence-transformers\/all-MiniLM-L6-v2\/resolve\/main\/vocab\.txt is not the published file/);
  expect(existsSync(path.join(dir, "vocab.txt"))).toBe(false);
  expect(existsSync(path.join(dir, "vocab.txt.part"))).toBe(false);
});

test("an unreachable server gives a clear message", async () => {
  const result = await runDownload(tempDir(), "http://127.0.0.1:9");
  expect(result.code).toBe(1);
  expect(result.out).toMatch(/model download failed: cannot reach http:\/\/127\.0\.0\.1:9\/sentence-transformers\/all-MiniLM-L6-v2\/resolve\/main\/config\.json.*MODEL_DOWNLOAD_URL/);
});
