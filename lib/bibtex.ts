// Citation formats for papers: BibTeX entries and CSV rows (RFC 4180 quoting). RIS is lib/ris.ts.
export interface CitablePaper {
  id: string;
  version: number;
  title: string;
  authors: string[];
  year?: string;
  primaryCategory: string;
  doi?: string | null;
  abstract?: string;
  /** The reader's labels: `keywords`, comma-separated (as Zotero and JabRef read them). */
  labels?: readonly string[];
  /**
   * The reader's note: `annote`, the field for a reader's annotation, which bibliography styles do
   * not print (`note` is printed under the reference: a private note would end up in a thesis).
   */
  note?: string | null;
}

/** Braces and backslashes would change the meaning of a BibTeX field; other text is kept (LaTeX included). */
function bibValue(text: string): string {
  let depth = 0;
  for (const c of text) {
    if (c === "{") depth += 1;
    if (c === "}") depth -= 1;
    if (depth < 0) break;
  }
  // Unbalanced braces cannot be kept inside {...}: drop them.
  return depth === 0 ? text : text.replace(/[{}]/g, "");
}

export function bibtexKey(paper: CitablePaper): string {
  const last = (paper.authors[0] ?? "anonymous").split(/\s+/).at(-1)!.normalize("NFD").replace(/[^A-Za-z]/g, "").toLowerCase();
  const word = paper.title.toLowerCase().match(/[a-z]{4,}/)?.[0] ?? "paper";
  return `${last || "anonymous"}${paper.year ?? ""}${word}`;
}

export function toBibtex(paper: CitablePaper): string {
  const fields: [string, string][] = [
    ["title", paper.title],
    ["author", paper.authors.join(" and ")],
    ["year", paper.year ?? ""],
    ["eprint", paper.id],
    ["archivePrefix", "arXiv"],
    ["primaryClass", paper.primaryCategory],
    ["url", `https://arxiv.org/abs/${paper.id}v${paper.version}`],
    ...(paper.doi ? ([["doi", paper.doi]] as [string, string][]) : []),
    ["keywords", (paper.labels ?? []).join(", ")],
    // One paragraph: a blank line inside a field is a paragraph break (\par) to LaTeX.
    ["annote", (paper.note ?? "").replace(/\s+/g, " ").trim()],
  ];
  const body = fields
    .filter(([, v]) => v !== "")
    .map(([k, v]) => `  ${k} = {${bibValue(v)}}`)
    .join(",\n");
  return `@misc{${bibtexKey(paper)},\n${body}\n}`;
}

function csvCell(value: string): string {
  // A leading = + - @ would be run as a formula by spreadsheet programs.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(rows: string[][]): string {
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
