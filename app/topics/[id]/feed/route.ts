// GET /topics/<id>/feed?token=…[&min=0..100]: RSS of a topic's daily list: the latest announced day
// of the followed categories, best first, papers scoring at least `min` (default 90:
// DEFAULT_FEED_THRESHOLD), each with its score and why (the cards' explanation as text). Feed readers
// carry no session, so the feed is authorised by the token in its address (lib/topics/feed-token.ts),
// which only the topic's owner is shown; a wrong token and a missing topic get the same 404. A `min`
// that is not a score from 0 to 100 (lib/query-params.ts topicFeedQuery) gets 400 in words.
import { parseListingSpec } from "@/lib/arxiv/categories";
import { rssDocument, rssResponse } from "@/lib/feeds";
import { listingDays } from "@/lib/queries/listings";
import { getFollowedCategories } from "@/lib/queries/settings";
import { getTopic, listScoredPapersForDay, topicOwner } from "@/lib/queries/topics";
import { badQueryResponse, readQuery, topicFeedQuery } from "@/lib/query-params";
import { DEFAULT_FEED_THRESHOLD } from "@/lib/topics/blend";
import { explanationText, pct } from "@/lib/topics/card-html";
import { embedMissingTopics } from "@/lib/topics/embedding";
import { isTopicFeedToken, topicFeedPath } from "@/lib/topics/feed-token";

export const dynamic = "force-dynamic";

const FEED_SIZE = 100;

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const url = new URL(request.url);
  const notFound = new Response("No such feed. Copy the feed address again from the Topics page.", { status: 404 });
  if (!isTopicFeedToken(id, url.searchParams.get("token"))) return notFound;
  const topic = await topicOwner(id);
  if (!topic) return notFound;
  const read = readQuery(topicFeedQuery, url.searchParams);
  if (!read.ok) return badQueryResponse(read.problem);
  // A topic without a vector of the loaded model (saved before one was loaded, or the model changed)
  // gets it now: a feed may be the only reader of the topic.
  const summary = await getTopic(topic.userId, id);
  if (summary) await embedMissingTopics(topic.userId, [summary]);
  const min = read.data.min ?? DEFAULT_FEED_THRESHOLD;
  const spec = parseListingSpec((await getFollowedCategories()).join(","));
  const date = (await listingDays(spec, 1))[0];
  const { papers } = date ? await listScoredPapersForDay(topic.userId, id, spec, date, { min, limit: FEED_SIZE }) : { papers: [] };
  const response = rssResponse(
    rssDocument(
      {
        title: `${topic.name}${date ? ` — ${date}` : ""}`,
        path: `/topics/${id}`,
        self: topicFeedPath(id),
        description: `Papers of the day ranked for the topic “${topic.name}”, scoring at least ${pct(min)}.`,
      },
      papers.map((p) => {
        const why = explanationText(p.relevance);
        return { ...p, date: new Date(`${date}T00:00:00Z`), note: `Score ${pct(p.relevance.score)}${why ? ` (${why})` : ""}` };
      }),
    ),
  );
  // Private to whoever holds the address: no shared caches.
  response.headers.set("cache-control", "private, max-age=300");
  return response;
}
