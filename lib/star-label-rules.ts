// The rules of a star's labels and note without zod, so the browser's label editor
// (app/starred/star-notes.tsx) applies the same limits and comparison as the server's checks
// (lib/star-labels.ts, which re-exports these).

export const LABEL_MAX = 40;
export const LABELS_MAX = 20;
export const NOTE_MAX = 4_000;

/**
 * A label as stored: control characters and runs of spaces become one space, trimmed, NFC (so
 * "café" typed two ways is one label). Commas separate labels in keywords fields (BibTeX, RIS
 * readers split on them), so a label cannot hold one; they are refused, not silently split.
 */
export function normalizeLabel(text: string): string {
  return text.normalize("NFC").replace(/[\s\u0000-\u001f\u007f]+/g, " ").trim();
}

/** Whether two labels are one: labels differing only in case are ("To Read" is "to read"). */
export const sameLabel = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** How `existing` spells the label `text` (the first spelling, found whatever the case), or undefined. */
export function spellingOf(text: string, existing: readonly string[]): string | undefined {
  return existing.find((l) => sameLabel(l, text));
}
