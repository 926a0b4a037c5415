// RSS for a search: the best-ranked 50 matches of ?q= (with the same filters as the search page,
// lib/query-params.ts searchQuery; a query it cannot read gets 400 in words).
import { rssDocument, rssResponse } from "@/lib/feeds";
import { searchPapers, SearchQueryError } from "@/lib/queries/search";
import { badQueryResponse, readQuery, searchQuery } from "@/lib/query-params";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const read = readQuery(searchQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const params = { ...read.data, q: read.data.q ?? "", categories: read.data.cat ?? [] };
  try {
    const { hits } = await searchPapers(params.q, { ...params, limit: 50 });
    return rssResponse(
      rssDocument(
        { title: `arXiv search: ${params.q}`, path: `/search?q=${encodeURIComponent(params.q)}`, description: `Papers matching "${params.q}"` },
        hits.map((h) => ({ ...h, date: h.publishedAt })),
      ),
    );
  } catch (error) {
    if (error instanceof SearchQueryError) return new Response(error.message, { status: 400 });
    throw error;
  }
}
