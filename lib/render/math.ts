// Paper text to safe HTML: everything is HTML-escaped, and `$...$` / `$$...$$` segments are rendered
// as MathML (lib/render/formula.ts) on the server. A segment that cannot be parsed stays as its
// escaped source, so one bad formula never breaks a card. (Whole cards are kept per paper version:
// lib/render/card-html.)
import { texToUnicode } from "../arxiv/text";
import { renderFormula } from "./formula";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/**
 * An escaped dollar (`\$`, left as text), or math: `$$display$$`, `\[display\]`, `$inline$`, `\(inline\)`
 * (arXiv abstracts use both notations).
 */
const SEGMENT = /\\\$|\$\$([\s\S]+?)\$\$|\\\[([\s\S]+?)\\\]|\$((?:\\.|[^$\\])+?)\$|\\\(([\s\S]+?)\\\)/g;

/** Text outside math: TeX accents shown as the letters they make (Schr\\"odinger → Schrödinger), escaped. */
function textHtml(text: string): string {
  return escapeHtml(/\\/.test(text) ? texToUnicode(text) : text);
}

/** Renders `text` (plain text with LaTeX math) as HTML safe to insert. */
export function renderMathText(text: string): string {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(SEGMENT)) {
    html += textHtml(text.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[0] === "\\$") {
      html += "$";
      continue;
    }
    const display = match[1] !== undefined || match[2] !== undefined;
    const rendered = renderFormula((match[1] ?? match[2] ?? match[3] ?? match[4])!, display);
    html += rendered ?? escapeHtml(match[0]);
  }
  return html + textHtml(text.slice(last));
}
