// RSS for a search: the best-ranked 50 matches of ?q= (with the same filters as the search page).
import { rssDocument, rssResponse } from "@/lib/feeds";
import { searchPapers, SearchQueryError } from "@/lib/queries/search";
import { readSearchParams } from "../params";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const params = readSearchParams(new URL(request.url).searchParams);
  if ("error" in params) return new Response(params.error, { status: 400 });
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
