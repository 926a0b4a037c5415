// Without a model the app keeps working: getEmbedder() is null, the reason names the directory
// and the missing files, and the health check reports keyword fallback.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const empty = mkdtempSync(path.join(tmpdir(), "no-model-"));
process.env.EMBEDDING_MODEL_DIR = empty;
afterAll(() => rmSync(empty, { recursive: true, force: true }));

test("a missing model means keyword fallback, with a message naming the directory and files", async () => {
  const { getEmbedder, embedderStatus } = await import("../../lib/embed/embedder");
  expect(await getEmbedder()).toBeNull();
  const status = embedderStatus();
  expect(status.state).toBe("keyword-fallback");
  if (status.state !== "keyword-fallback") return;
  expect(status.reason).toContain(empty);
  expect(status.reason).toContain("tokenizer.json");
  expect(status.reason).toContain("onnx/model_quantized.onnx or onnx/model.onnx");
  expect(status.reason).toContain("npm run model:download");
});
