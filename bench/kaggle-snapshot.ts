// A synthetic Kaggle snapshot for the import benchmarks: the 200 real lines of
// tests/fixtures/arxiv/kaggle/ repeated, each with an id of its own.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";

export const KAGGLE_FIXTURE = path.resolve(import.meta.dirname, "../tests/fixtures/arxiv/kaggle/wanng-ide_snapshot_first200.jsonl");

/**
 * Writes `lines` snapshot lines to `file`: the 200 real ones repeated, ids 1501.00000,
 * 1501.00001, … (100,000 per month, then 1502, …). The lines are the fixture's own bytes but for
 * the id, so they parse and store as the real snapshot's do (~1.4 KB a line; the real snapshot's
 * are somewhat longer on average). Returns the file's size in bytes.
 */
export async function writeSyntheticSnapshot(file: string, lines: number): Promise<number> {
  const real = readFileSync(KAGGLE_FIXTURE, "utf8").split("\n").filter((l) => l !== "");
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const m = Math.floor(i / 100_000);
    const yymm = `${15 + Math.floor(m / 12)}${String(1 + (m % 12)).padStart(2, "0")}`;
    const id = `${yymm}.${String(i % 100_000).padStart(5, "0")}`;
    out.push(real[i % real.length]!.replace(/^\{"id":"[^"]*"/, `{"id":"${id}"`));
  }
  const text = `${out.join("\n")}\n`;
  await writeFile(file, text);
  return Buffer.byteLength(text);
}
