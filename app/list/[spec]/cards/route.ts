// GET /list/<categories>/cards?date=&type=&offset=&limit=[&sort=][&topic=&min=]: the next cards of a
// listing as HTML, for the page's "more" loader, in the page's order (sort=popular: most readers
// first; with a topic: the next by score), with their counts of readers. X-Next-Offset says where the
// following page starts. A query it cannot read (lib/query-params.ts listingCardsQuery) gets 400 in words.
import { parseListingSpec, ListingSpecError } from "@/lib/arxiv/categories";
import { userFromHeaders } from "@/lib/auth";
import { listPapersForDay } from "@/lib/queries/listings";
import { withPopularity } from "@/lib/queries/popularity";
import { starredAmong } from "@/lib/queries/stars";
import { listScoredPapersForDay } from "@/lib/queries/topics";
import { badQueryResponse, listingCardsQuery, readQuery } from "@/lib/query-params";
import { readerTopics, topicCardsHtml } from "../../../topics/listing";
import { tabFor } from "../../../components/listing-tabs";

export const dynamic = "force-dynamic";

/** Cards per answer at most; "show all" asks again from X-Next-Offset. */
const MAX_CARDS = 1_000;

export async function GET(request: Request, { params }: { params: Promise<{ spec: string }> }): Promise<Response> {
  const url = new URL(request.url);
  let spec;
  try {
    spec = parseListingSpec(decodeURIComponent((await params).spec));
  } catch (error) {
    if (error instanceof ListingSpecError) return new Response(error.message, { status: 400 });
    throw error;
  }
  const read = readQuery(listingCardsQuery, url.searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  const { date, offset = 0, min = 0 } = read.data;
  const limit = Math.min(MAX_CARDS, read.data.limit ?? 50);
  const types = tabFor(read.data.type).types;
  const user = await userFromHeaders(request.headers);
  const topics = await readerTopics(user);
  const selected = topics.find((t) => t.id === read.data.topic);
  const listed =
    selected && user
      ? (await listScoredPapersForDay(user.id, selected.id, spec, date, { types, min, offset, limit })).papers
      : await listPapersForDay(spec, date, { types, offset, limit, sort: read.data.sort });
  // The reader is already known here: ask for the stars directly rather than reading the session again.
  const [papers, starred] = await Promise.all([
    withPopularity(listed),
    user ? starredAmong(user.id, listed.map((p) => p.id)) : undefined,
  ]);
  return new Response(topicCardsHtml(papers, starred, topics, selected), {
    headers: { "content-type": "text/html; charset=utf-8", "x-next-offset": String(offset + papers.length), "cache-control": "no-store" },
  });
}
