// The snapshot import's COPY encoding (lib/import/copy-writer.ts): what COPY's text format and
// PostgreSQL's array literals need escaped, what PostgreSQL cannot store, and which row of a paper
// seen twice in a batch is written. (That PostgreSQL reads the rows back as they were is
// tests/integration/kaggle-import.test.ts.)
import { expect, test } from "vitest";
import type { ParsedEntry } from "../../lib/arxiv/types";
import { CopyBatchBuilder, distinctPapers, encodeEntry } from "../../lib/import/copy-writer";

const entry = (over: Partial<ParsedEntry> = {}): ParsedEntry => ({
  id: "2101.00001",
  version: 1,
  title: "T",
  abstract: "A",
  authors: ["A. Author"],
  categories: ["cs.CL"],
  primaryCategory: "cs.CL",
  ...over,
});

test("a row: tab-separated columns, \\N for what is missing, timestamps as UTC wall-clock time", () => {
  expect(encodeEntry(entry({ publishedAt: new Date("2007-04-02T19:17:14Z") }))).toEqual({
    row: "2101.00001\t1\tT\tA\t{\"A. Author\"}\t\\N\t\\N\t\\N\tcs.CL\t{\"cs.CL\"}\t2007-04-02T19:17:14.000\t\\N\n",
  });
});

test("backslash, tab, newline and carriage return are escaped; array elements are quoted with their quotes and backslashes escaped", () => {
  const encoded = encodeEntry(entry({ title: "a\\b\tc\nd\re", authors: ['Ann "Annie"', "Back\\slash", "NULL", "{x, y}"], comments: "\\N" }));
  expect("row" in encoded && encoded.row.split("\t")).toEqual([
    "2101.00001",
    "1",
    "a\\\\b\\tc\\nd\\re",
    "A",
    // Array literal {"Ann \"Annie\"","Back\\slash","NULL","{x, y}"}, then COPY's own escaping of its backslashes.
    '{"Ann \\\\"Annie\\\\"","Back\\\\\\\\slash","NULL","{x, y}"}',
    "\\\\N",
    "\\N",
    "\\N",
    "cs.CL",
    '{"cs.CL"}',
    "\\N",
    "\\N\n",
  ]);
});

test("NUL characters and unpaired surrogates cannot be stored: the entry is a bad line, not part of the COPY", () => {
  const builder = new CopyBatchBuilder();
  expect(builder.add(entry({ abstract: "nul \u0000 here" }), 7)).toEqual({
    line: 7,
    reason: "the database cannot store it (2101.00001): a NUL character (\\u0000) in its text, which PostgreSQL cannot store",
  });
  expect(builder.add(entry({ authors: ["half \ud800 a pair"] }), 8)?.reason).toMatch(/unpaired UTF-16 surrogate/);
  expect(builder.add(entry({ title: "a whole pair: \ud83d\ude00" }), 9)).toBeUndefined();
  expect(builder.build().lines).toEqual([9]);
});

test("a paper seen twice in a batch is written once: its highest version, or the first of two at the same version", () => {
  const builder = new CopyBatchBuilder();
  builder.add(entry({ id: "2101.00001", version: 2 }), 1);
  builder.add(entry({ id: "2101.00002", version: 1 }), 2);
  builder.add(entry({ id: "2101.00001", version: 3 }), 3);
  builder.add(entry({ id: "2101.00002", version: 1, title: "later" }), 4);
  builder.add(entry({ id: "2101.00001", version: 1 }), 5);
  const batch = builder.build();
  expect(distinctPapers(batch).map((i) => batch.lines[i])).toEqual([3, 2]);
});
