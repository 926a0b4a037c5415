// The model's real WordPiece tokenizer (all-MiniLM-L6-v2's tokenizer.json): ids checked against
// hand-verified ones (each id is the token's 0-based line in the model's vocab.txt), with [CLS]/[SEP],
// lowercasing, accents, subwords and truncation at the token limit.
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { loadTokenizer } from "../../lib/embed/tokenize";

const dir = path.resolve(import.meta.dirname, "../fixtures/models/all-MiniLM-L6-v2");
const vocab = readFileSync(path.join(dir, "vocab.txt"), "utf8").split("\n");
const tokenizer = loadTokenizer(dir, 256);

// Ids written down by hand from vocab.txt (line number − 1), not produced by the code under test.
const cases: [string, string[], number[]][] = [
  ["Hello, World!", ["[CLS]", "hello", ",", "world", "!", "[SEP]"], [101, 7592, 1010, 2088, 999, 102]],
  ["Café naïve résumé", ["[CLS]", "cafe", "naive", "resume", "[SEP]"], [101, 7668, 15743, 13746, 102]],
  [
    "unbelievably tokenization",
    ["[CLS]", "un", "##bel", "##ie", "##va", "##bly", "token", "##ization", "[SEP]"],
    [101, 4895, 8671, 2666, 3567, 6321, 19204, 3989, 102],
  ],
  ["Transformers are all you need.", ["[CLS]", "transformers", "are", "all", "you", "need", ".", "[SEP]"], [101, 19081, 2024, 2035, 2017, 2342, 1012, 102]],
  ["", ["[CLS]", "[SEP]"], [101, 102]],
];

test.each(cases)("%j has the reference ids", (text, tokens, ids) => {
  // The hand-written ids are the tokens' lines in vocab.txt (guards the table above against typos).
  expect(tokens.map((t) => vocab.indexOf(t))).toEqual(ids);
  const encoded = tokenizer.encode(text);
  expect(encoded.ids).toEqual(ids);
  expect(encoded.attentionMask).toEqual(ids.map(() => 1));
  expect(encoded.tokenTypeIds).toEqual(ids.map(() => 0));
});

test("upper case and accents give the same ids as their plain lower-case form", () => {
  expect(tokenizer.encode("ÉCOLE Normale").ids).toEqual(tokenizer.encode("ecole normale").ids);
});

test.each([256, 512])("a long text is cut to %i tokens with [SEP] kept last", (limit) => {
  const cut = loadTokenizer(dir, limit);
  const encoded = cut.encode("world ".repeat(1000));
  expect(encoded.ids).toHaveLength(limit);
  expect(encoded.ids[0]).toBe(101);
  expect(encoded.ids.at(-1)).toBe(102);
  expect(encoded.ids.slice(1, -1).every((id) => id === 2088)).toBe(true);
  expect(encoded.attentionMask).toHaveLength(limit);
  expect(encoded.tokenTypeIds).toHaveLength(limit);
  // A text that fits is not touched.
  expect(cut.encode("world ".repeat(limit - 2)).ids).toHaveLength(limit);
});

test("a broken tokenizer.json is refused naming the file", () => {
  expect(() => loadTokenizer(path.join(dir, "onnx"), 256)).toThrow(/tokenizer\.json/);
});
