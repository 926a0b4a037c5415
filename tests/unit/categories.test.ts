// Listing specifications: unions, exclusions, hyphenated codes, aliases, and clear errors.
import { expect, test } from "vitest";
import { categoryAliases, formatListingSpec, ListingSpecError, parseListingSpec } from "../../lib/arxiv/categories";

test.each([
  ["cs.CL", { include: ["cs.CL"], exclude: [] }],
  ["cs.AI,cs.CL", { include: ["cs.AI", "cs.CL"], exclude: [] }],
  ["cs.AI+cs.LG-cs.CY", { include: ["cs.AI", "cs.LG"], exclude: ["cs.CY"] }],
  ["quant-ph", { include: ["quant-ph"], exclude: [] }],
  ["quant-ph-cs.ET", { include: ["quant-ph"], exclude: ["cs.ET"] }],
  ["cond-mat.mes-hall+hep-th-physics.optics", { include: ["cond-mat.mes-hall", "hep-th"], exclude: ["physics.optics"] }],
  ["stat", { include: ["stat"], exclude: [] }],
  ["cs.CL,cs.CL", { include: ["cs.CL"], exclude: [] }],
])("%s parses", (raw, expected) => {
  expect(parseListingSpec(raw)).toEqual(expected);
});

test.each([
  ["cs.XX", /"cs.XX" is not an arXiv category/],
  ["", /No category given/],
  ["cs.AI+", /ends with "\+"/],
  ["-cs.CY", /is not an arXiv category/],
  ["<script>alert(1)</script>", /is not an arXiv category/],
  ["cs.AI".repeat(200), /too long/],
])("%s is refused clearly", (raw, message) => {
  expect(() => parseListingSpec(raw)).toThrow(ListingSpecError);
  expect(() => parseListingSpec(raw)).toThrow(message);
});

test("aliases and canonical text", () => {
  expect(categoryAliases("cs.NA")).toEqual(["cs.NA", "math.NA"]);
  expect(categoryAliases("math-ph")).toEqual(["math-ph", "math.MP"]);
  expect(formatListingSpec(parseListingSpec("cs.AI+cs.LG-cs.CY"))).toBe("cs.AI,cs.LG-cs.CY");
});
