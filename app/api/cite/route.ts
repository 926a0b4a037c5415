// GET /api/cite?id=<arXiv id>&format=text|bibtex|ris: what the Copy and BibTeX buttons put on the
// clipboard, and one paper's RIS file (the RIS link on a paper page) for a citation manager. It is the
// same for every reader: the reader's own labels and notes are only in the Starred page's exports.
// A query it cannot read (lib/query-params.ts citeQuery) gets 400 in words.
import { normalizeArxivId } from "@/lib/arxiv/ids";
import { toBibtex } from "@/lib/bibtex";
import { getPaper } from "@/lib/queries/papers";
import { badQueryResponse, citeQuery, readQuery } from "@/lib/query-params";
import { toRis } from "@/lib/ris";

export async function GET(request: Request): Promise<Response> {
  const read = readQuery(citeQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const paper = await getPaper(normalizeArxivId(read.data.id).id);
  if (!paper) return new Response("no such paper here", { status: 404 });
  if (read.data.format === "ris") {
    return new Response(toRis(paper), {
      headers: {
        "content-type": "application/x-research-info-systems; charset=utf-8",
        "content-disposition": `attachment; filename="arXiv-${paper.id.replace(/[^A-Za-z0-9.-]/g, "-")}.ris"`,
        "x-content-type-options": "nosniff",
      },
    });
  }
  const link = `https://arxiv.org/abs/${paper.id}v${paper.version}`;
  const text =
    read.data.format === "bibtex"
      ? toBibtex({ ...paper, year: paper.publishedAt?.toISOString().slice(0, 4) })
      : `${paper.title}\n\n${paper.abstract}\n\n${link}`;
  return new Response(text, { headers: { "content-type": "text/plain; charset=utf-8" } });
}
