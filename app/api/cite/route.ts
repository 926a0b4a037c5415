// GET /api/cite?id=<arXiv id>&format=text|bibtex: what the Copy and BibTeX buttons put on the clipboard.
// A query it cannot read (lib/query-params.ts citeQuery) gets 400 in words.
import { normalizeArxivId } from "@/lib/arxiv/ids";
import { toBibtex } from "@/lib/bibtex";
import { getPaper } from "@/lib/queries/papers";
import { badQueryResponse, citeQuery, readQuery } from "@/lib/query-params";

export async function GET(request: Request): Promise<Response> {
  const read = readQuery(citeQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const paper = await getPaper(normalizeArxivId(read.data.id).id);
  if (!paper) return new Response("no such paper here", { status: 404 });
  const link = `https://arxiv.org/abs/${paper.id}v${paper.version}`;
  const text =
    read.data.format === "bibtex"
      ? toBibtex({ ...paper, year: paper.publishedAt?.toISOString().slice(0, 4) })
      : `${paper.title}\n\n${paper.abstract}\n\n${link}`;
  return new Response(text, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
