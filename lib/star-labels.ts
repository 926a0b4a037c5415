// What a star's labels and note may hold, checked with zod: used by the star actions
// (app/stars/actions.ts), the Starred page's `label=` parameter (lib/query-params.ts) and the tests.
// Labels are the reader's own lists ("to read", "cite in thesis"); the note is private text.
import { z } from "zod";

export { LABEL_MAX, LABELS_MAX, NOTE_MAX, normalizeLabel, sameLabel, spellingOf } from "./star-label-rules";
import { LABEL_MAX, LABELS_MAX, NOTE_MAX, normalizeLabel, sameLabel, spellingOf } from "./star-label-rules";

const quoteLabel = (label: string) => `"${label.length > 30 ? `${label.slice(0, 30)}…` : label}"`;

/** A list of labels: normalised, blanks dropped, the first spelling kept among those differing in case. */
export const labelsField = z
  .array(z.string({ error: "Each label must be text." }).max(1_000, `A label has at most ${LABEL_MAX} characters.`), { error: "Labels must be a list of words." })
  .max(200, `At most ${LABELS_MAX} labels per paper.`)
  .transform((raw, ctx) => {
    const labels = raw.map(normalizeLabel).filter(Boolean);
    const unique = labels.filter((l, i) => labels.findIndex((o) => sameLabel(o, l)) === i);
    const comma = unique.find((l) => l.includes(","));
    if (comma) ctx.addIssue({ code: "custom", message: `${quoteLabel(comma)}: a label cannot contain a comma (commas separate labels in exports).` });
    const long = unique.find((l) => l.length > LABEL_MAX);
    if (long) ctx.addIssue({ code: "custom", message: `${quoteLabel(long)} is ${long.length} characters long; a label has at most ${LABEL_MAX}.` });
    if (unique.length > LABELS_MAX) ctx.addIssue({ code: "custom", message: `At most ${LABELS_MAX} labels per paper (this has ${unique.length}).` });
    return unique;
  });

/**
 * A note: line ends made \n, control characters other than tab and line feed dropped (PostgreSQL
 * refuses NUL in text), trailing space trimmed; an empty note is no note (null).
 */
export const noteField = z
  .string({ error: "The note must be text." })
  .max(NOTE_MAX * 2, `A note has at most ${NOTE_MAX.toLocaleString("en")} characters.`)
  .transform((raw, ctx) => {
    const note = raw
      .normalize("NFC")
      .replace(/\r\n?/g, "\n")
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
      .trim();
    if (note.length > NOTE_MAX) {
      ctx.addIssue({ code: "custom", message: `A note has at most ${NOTE_MAX.toLocaleString("en")} characters (this one has ${note.length.toLocaleString("en")}).` });
    }
    return note === "" ? null : note;
  });

/**
 * Spells each label as the reader already spells it elsewhere ("To Read" joins an existing "to read"),
 * so one list never shows up twice under two spellings and filtering by a label finds all its papers.
 */
export function adoptSpellings(labels: readonly string[], existing: readonly string[]): string[] {
  return labels.map((l) => spellingOf(l, existing) ?? l);
}
