// A day as citation formats write it: YYYY/MM/DD in UTC, the form of RIS's DA field (lib/ris.ts) and
// of the citation_date meta tags Google Scholar asks for (lib/citation-meta.ts).
const two = (n: number) => String(n).padStart(2, "0");

export function slashDate(d: Date): string {
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}`;
}
