// The rules for a star's labels and note (lib/star-labels.ts), as the star actions apply them, and
// the Starred page's `label=` and export parameters (lib/query-params.ts).
import { expect, test } from "vitest";
import { readQuery, starredExportQuery, starredQuery } from "../../lib/query-params";
import { adoptSpellings, LABEL_MAX, labelsField, normalizeLabel, NOTE_MAX, noteField, spellingOf } from "../../lib/star-labels";

const labelsError = (input: unknown) => {
  const parsed = labelsField.safeParse(input);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
};
const noteError = (input: unknown) => {
  const parsed = noteField.safeParse(input);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
};

test("labels are trimmed, spaces collapsed, blanks dropped, and one of each whatever its case (the first spelling wins)", () => {
  expect(labelsField.parse(["  to   read ", "Cite in\tthesis", "", "   ", "TO READ", "to read", "cite IN thesis"])).toEqual(["to read", "Cite in thesis"]);
  expect(labelsField.parse([])).toEqual([]);
  // Control characters are spaces, and two spellings of é are one label.
  expect(labelsField.parse(["caf\u0065\u0301", "café", "a\u0000b"])).toEqual(["café", "a b"]);
  expect(normalizeLabel(" x\n y ")).toBe("x y");
});

test("too long, too many, a comma, not a list: refused with a message a person understands", () => {
  expect(labelsError(["x".repeat(LABEL_MAX)])).toBeUndefined();
  expect(labelsError(["x".repeat(LABEL_MAX + 1)])).toBe(`"${"x".repeat(30)}…" is 41 characters long; a label has at most 40.`);
  // Length counts after tidying: spaces around do not count.
  expect(labelsError([`  ${"x".repeat(LABEL_MAX)}  `])).toBeUndefined();
  expect(labelsError(Array.from({ length: 20 }, (_, i) => `l${i}`))).toBeUndefined();
  expect(labelsError(Array.from({ length: 21 }, (_, i) => `l${i}`))).toBe("At most 20 labels per paper (this has 21).");
  // Duplicates do not count towards the limit.
  expect(labelsError([...Array.from({ length: 20 }, (_, i) => `l${i}`), "L0", "l1 "])).toBeUndefined();
  expect(labelsError(["read, then cite"])).toBe('"read, then cite": a label cannot contain a comma (commas separate labels in exports).');
  expect(labelsError("to read")).toBe("Labels must be a list of words.");
  expect(labelsError([42])).toBe("Each label must be text.");
  expect(labelsError(Array.from({ length: 500 }, () => "x"))).toBe("At most 20 labels per paper.");
});

test("a note: line ends made \\n, NUL and other control characters dropped, trimmed; empty is no note; at most 4,000", () => {
  expect(noteField.parse("  Read §3.\r\nThen §4.\rDone\u0000.\t ")).toBe("Read §3.\nThen §4.\nDone.");
  expect(noteField.parse("   \n ")).toBeNull();
  expect(noteField.parse("")).toBeNull();
  expect(noteError("x".repeat(NOTE_MAX))).toBeUndefined();
  expect(noteError(`  ${"x".repeat(NOTE_MAX)}\n`)).toBeUndefined();
  expect(noteError("x".repeat(NOTE_MAX + 1))).toBe("A note has at most 4,000 characters (this one has 4,001).");
  expect(noteError("x".repeat(NOTE_MAX * 3))).toBe("A note has at most 4,000 characters.");
  expect(noteError(null)).toBe("The note must be text.");
});

test("a label joins the reader's existing spelling of it", () => {
  expect(adoptSpellings(["To Read", "new one", "CITE"], ["to read", "cite", "Cite"])).toEqual(["to read", "new one", "cite"]);
  expect(adoptSpellings([], ["x"])).toEqual([]);
  // The Starred page's ?label= finds the reader's label whatever its case, the first spelling first.
  expect(spellingOf("TO READ", ["cite", "to read", "To Read"])).toBe("to read");
  expect(spellingOf("to rea", ["to read"])).toBeUndefined();
});

test("the Starred page's label parameter is tidied; exports take bibtex, ris or csv and a label", () => {
  expect(readQuery(starredQuery, { label: "  to%20read " })).toEqual({ ok: true, data: { label: "to%20read" } });
  expect(readQuery(starredQuery, new URLSearchParams("label=to%20read"))).toEqual({ ok: true, data: { label: "to read" } });
  // Any text is a label to look for (one the reader does not have lists nothing): no error.
  expect(readQuery(starredQuery, { label: "<script>alert(1)</script>".repeat(20) }).ok).toBe(true);
  expect(readQuery(starredExportQuery, new URLSearchParams("format=ris&label=cite+in+thesis"))).toEqual({ ok: true, data: { format: "ris", label: "cite in thesis" } });
  const bad = readQuery(starredExportQuery, new URLSearchParams("format=endnote"));
  expect(bad).toEqual({ ok: false, problem: { param: "format", message: '"endnote" is not one of bibtex, ris, csv.' } });
});
