// RSS for a listing: the latest day (or ?date=) of the categories in the URL. A date that is not a
// calendar day (lib/query-params.ts listingFeedQuery) gets 400 in words.
import { formatListingSpec, ListingSpecError, parseListingSpec } from "@/lib/arxiv/categories";
import { rssDocument, rssResponse } from "@/lib/feeds";
import { listingDays, listPapersForDay } from "@/lib/queries/listings";
import { badQueryResponse, listingFeedQuery, readQuery } from "@/lib/query-params";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ spec: string }> }): Promise<Response> {
  const raw = decodeURIComponent((await params).spec);
  let spec;
  try {
    spec = parseListingSpec(raw);
  } catch (error) {
    if (error instanceof ListingSpecError) return new Response(error.message, { status: 400 });
    throw error;
  }
  const read = readQuery(listingFeedQuery, new URL(request.url).searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const date = read.data.date ?? (await listingDays(spec, 1))[0];
  const papers = date ? await listPapersForDay(spec, date) : [];
  const text = formatListingSpec(spec);
  return rssResponse(
    rssDocument(
      { title: `arXiv ${text}${date ? ` — ${date}` : ""}`, path: `/list/${encodeURIComponent(text)}`, description: `Papers announced in ${text}` },
      papers.map((p) => ({ ...p, date: date ? new Date(`${date}T00:00:00Z`) : null })),
    ),
  );
}
