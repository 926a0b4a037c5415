// Search parameters from a URL, checked: q, cat (comma-separated categories), from, to, page.
import { isKnownCategory } from "@/lib/arxiv/categories";
import { MAX_QUERY_LENGTH } from "@/lib/queries/search";

export interface SearchParams {
  q: string;
  categories: string[];
  from?: string;
  to?: string;
  page: number;
}

export function readSearchParams(params: URLSearchParams): SearchParams | { error: string } {
  // Control characters (NUL above all, which PostgreSQL refuses in text) mean nothing in a search: spaces.
  const q = (params.get("q") ?? "").replace(/[\u0000-\u001f\u007f]/g, " ").trim();
  if (q.length > MAX_QUERY_LENGTH) return { error: `The search is too long: at most ${MAX_QUERY_LENGTH} characters.` };
  const categories = (params.get("cat") ?? "").split(",").map((c) => c.trim()).filter(Boolean);
  const unknown = categories.find((c) => !isKnownCategory(c));
  if (unknown) return { error: `"${unknown.slice(0, 40)}" is not an arXiv category (e.g. cs.CL, math.NA).` };
  const from = params.get("from") || undefined;
  const to = params.get("to") || undefined;
  for (const d of [from, to]) {
    if (d !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(d)) return { error: `"${d.slice(0, 40)}" is not a date (use 2025-04-28).` };
  }
  if (from && to && from > to) return { error: `The range starts (${from}) after it ends (${to}).` };
  const page = Math.max(1, Math.min(400, Number.parseInt(params.get("page") ?? "1", 10) || 1));
  return { q, categories, from, to, page };
}
