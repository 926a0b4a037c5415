// Reads the real arXiv responses kept in tests/fixtures/arxiv (see its SOURCES.md).
import { readFileSync } from "node:fs";
import path from "node:path";

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/arxiv");

export function fixture(relative: string): string {
  return readFileSync(path.join(FIXTURES, relative), "utf8");
}
