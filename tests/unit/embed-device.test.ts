// EMBEDDING_DEVICE=cuda on a machine without the CUDA provider libraries: one clear warning, then
// the same model runs on the CPU. (On a machine with CUDA this test sees cuda and checks that instead.)
import path from "node:path";
import { expect, test } from "vitest";
import { loadOnnxEmbedder } from "../../lib/embed/onnx-embedder";

const dir = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
const onnxFile = path.join(dir, "onnx/model_quantized.onnx");

test("asking for CUDA without its libraries falls back to the CPU with one warning", async () => {
  const warnings: string[] = [];
  const embedder = await loadOnnxEmbedder({ dir, onnxFile, device: "cuda", warn: (m) => warnings.push(m) });
  try {
    expect(embedder.requestedDevice).toBe("cuda");
    if (embedder.device === "cuda") {
      expect(warnings).toEqual([]);
    } else {
      expect(embedder.device).toBe("cpu");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/EMBEDDING_DEVICE=cuda.*could not load.*CPU instead.*CUDA 12 and cuDNN 9/);
      expect(embedder.fallbackReason).toBeTruthy();
    }
    const cpu = await loadOnnxEmbedder({ dir, onnxFile, device: "cpu", warn: (m) => warnings.push(m) });
    try {
      const [a] = await embedder.embed(["graph neural networks for molecules"]);
      const [b] = await cpu.embed(["graph neural networks for molecules"]);
      expect(a).toHaveLength(384);
      if (embedder.device === "cpu") expect(Array.from(a!)).toEqual(Array.from(b!));
    } finally {
      await cpu.release();
    }
  } finally {
    await embedder.release();
  }
});

