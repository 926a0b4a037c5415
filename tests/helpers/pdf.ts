// Builds small valid PDF files for tests: one page per string, each line of text drawn in Helvetica
// (a standard font every PDF reader knows, so nothing is embedded). The cross-reference table holds
// the real byte offsets, so strict readers (pdf.js, behind unpdf) open the file without repairs.

/** Escapes a string for a PDF literal string: backslash and parentheses. */
function pdfString(text: string): string {
  return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
}

/**
 * A PDF with one page per entry of `pages`; each page's text is split on "\n" into lines.
 * Text must be Latin-1 (WinAnsiEncoding): tests use ASCII.
 */
export function buildPdf(pages: string[]): Buffer {
  if (pages.length === 0) throw new RangeError("buildPdf needs at least one page");
  const objects: string[] = [];
  // 1: catalog, 2: page tree, 3: font, then per page: the page and its content stream.
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`);
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (const [i, text] of pages.entries()) {
    const lines = text.split("\n");
    const ops = ["BT", "/F1 11 Tf", "14 TL", "50 790 Td", ...lines.map((line, j) => `${j === 0 ? "" : "T* "}${pdfString(line)} Tj`), "ET"].join("\n");
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(ops, "latin1")} >>\nstream\n${ops}\nendstream`);
  }
  let out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  const offsets: number[] = [];
  for (const [i, body] of objects.entries()) {
    offsets.push(Buffer.byteLength(out, "latin1"));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, "latin1");
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  out += offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("");
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}
