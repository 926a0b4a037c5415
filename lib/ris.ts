// RIS records for papers: the tagged line format Zotero, EndNote and Mendeley import. A record is
// lines of "XX  - value" (two letters, two spaces, a hyphen, a space) ending in CRLF, opened by TY
// and closed by "ER  - "; no blank lines between records (RIS specification, 2011). A field is one
// line, so line breaks and other control characters in a value become spaces: a newline in a title
// or a note could otherwise start a tag of its own ("ER  - ", ending the record early).
import { slashDate } from "./slash-date";

export interface RisPaper {
  id: string;
  version: number;
  title: string;
  authors: string[];
  abstract?: string;
  /** When v1 was submitted (PY and DA). */
  publishedAt?: Date | null;
  /** A journal reference: the paper is then a journal article (JOUR) rather than a preprint (RPRT). */
  journalRef?: string | null;
  doi?: string | null;
  /** The reader's labels: one KW line each. */
  labels?: readonly string[];
  /** The reader's note: N1. */
  note?: string | null;
}

const EOL = "\r\n";

/** A value on one line: line breaks, tabs and other control characters become single spaces. */
export function risValue(text: string): string {
  return text
    .normalize("NFC")
    .replace(/[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, " ")
    .trim();
}

// Name parts that belong with the surname ("Ludwig van Beethoven" → "van Beethoven, Ludwig").
const PARTICLES = new Set(["van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "dos", "das", "le", "la", "ten", "ter", "af", "zu"]);
const SUFFIX = /^(?:jr\.?|sr\.?|ii|iii|iv)$/i;
// Group authors are names, not people: "ATLAS Collaboration" stays as it is.
const GROUP = /\b(?:collaboration|consortium|group|team|project|network|committee|initiative)\b/i;

/**
 * An arXiv author ("Ada King Lovelace") as RIS asks for it: "Lastname, Firstnames[, Suffix]". Names
 * already holding a comma, one-word names and group names are kept as written.
 */
export function risAuthor(name: string): string {
  const clean = risValue(name);
  if (clean.includes(",") || GROUP.test(clean)) return clean;
  const words = clean.split(" ");
  const suffix = words.length > 2 && SUFFIX.test(words.at(-1)!) ? words.pop()! : undefined;
  if (words.length < 2) return clean;
  let start = words.length - 1;
  while (start > 1 && PARTICLES.has(words[start - 1]!.toLowerCase())) start -= 1;
  const last = words.slice(start).join(" ");
  const first = words.slice(0, start).join(" ");
  return suffix ? `${last}, ${first}, ${suffix}` : `${last}, ${first}`;
}

/** One paper as one RIS record (CRLF line ends, the last line included). */
export function toRis(paper: RisPaper): string {
  const lines: [string, string][] = [];
  const add = (tag: string, value: string | null | undefined) => {
    const v = value == null ? "" : risValue(value);
    if (v !== "") lines.push([tag, v]);
  };
  const journal = paper.journalRef ? risValue(paper.journalRef) : "";
  lines.push(["TY", journal ? "JOUR" : "RPRT"]);
  add("TI", paper.title);
  for (const author of paper.authors) add("AU", risAuthor(author));
  const at = paper.publishedAt;
  if (at) {
    add("PY", String(at.getUTCFullYear()));
    add("DA", slashDate(at));
  }
  if (journal) add("T2", journal);
  else add("PB", "arXiv");
  add("AN", `arXiv:${paper.id}`);
  add("UR", `https://arxiv.org/abs/${paper.id}v${paper.version}`);
  add("DO", paper.doi);
  add("AB", paper.abstract);
  for (const label of paper.labels ?? []) add("KW", label);
  add("N1", paper.note);
  return lines.map(([tag, value]) => `${tag}  - ${value}${EOL}`).join("") + `ER  - ${EOL}`;
}

/** Records one after another, as a .ris file holds them (empty for no papers). */
export function toRisFile(papers: readonly RisPaper[]): string {
  return papers.map(toRis).join("");
}
