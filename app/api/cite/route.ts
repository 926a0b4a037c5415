// GET /api/cite?id=<arXiv id>&format=text|bibtex: what the Copy and BibTeX buttons put on the clipboard.
import { isArxivId, normalizeArxivId } from "@/lib/arxiv/ids";
import { toBibtex } from "@/lib/bibtex";
import { getPaper } from "@/lib/queries/papers";

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const raw = url.searchParams.get("id") ?? "";
  if (!isArxivId(raw)) return new Response("not an arXiv id", { status: 400 });
  const paper = await getPaper(normalizeArxivId(raw).id);
  if (!paper) return new Response("no such paper here", { status: 404 });
  const link = `https://arxiv.org/abs/${paper.id}v${paper.version}`;
  const text =
    url.searchParams.get("format") === "bibtex"
      ? toBibtex({ ...paper, year: paper.publishedAt?.toISOString().slice(0, 4) })
      : `${paper.title}\n\n${paper.abstract}\n\n${link}`;
  return new Response(text, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
