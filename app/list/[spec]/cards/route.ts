// GET /list/<categories>/cards?date=&type=&offset=&limit=[&topic=&min=]: the next cards of a listing as
// HTML, for the page's "more" loader (with a topic: the next by score). X-Next-Offset says where the
// following page starts.
import { parseListingSpec, ListingSpecError } from "@/lib/arxiv/categories";
import { userFromHeaders } from "@/lib/auth";
import { listPapersForDay } from "@/lib/queries/listings";
import { starredAmong } from "@/lib/queries/stars";
import { listScoredPapersForDay } from "@/lib/queries/topics";
import { parseThreshold, readerTopics, topicCardsHtml } from "../../../topics/listing";
import { tabFor } from "../../../components/listing-tabs";

export const dynamic = "force-dynamic";

export async function GET(request: Request, { params }: { params: Promise<{ spec: string }> }): Promise<Response> {
  const url = new URL(request.url);
  let spec;
  try {
    spec = parseListingSpec(decodeURIComponent((await params).spec));
  } catch (error) {
    if (error instanceof ListingSpecError) return new Response(error.message, { status: 400 });
    throw error;
  }
  const date = url.searchParams.get("date") ?? "";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return new Response("date must look like 2025-04-28", { status: 400 });
  const offset = Math.max(0, Number.parseInt(url.searchParams.get("offset") ?? "0", 10) || 0);
  const limit = Math.min(1_000, Math.max(1, Number.parseInt(url.searchParams.get("limit") ?? "50", 10) || 50));
  const types = tabFor(url.searchParams.get("type") ?? undefined).types;
  const user = await userFromHeaders(request.headers);
  const topics = await readerTopics(user);
  const selected = topics.find((t) => t.id === url.searchParams.get("topic"));
  const papers =
    selected && user
      ? (await listScoredPapersForDay(user.id, selected.id, spec, date, { types, min: parseThreshold(url.searchParams.get("min")), offset, limit })).papers
      : await listPapersForDay(spec, date, { types, offset, limit });
  // The reader is already known here: ask for the stars directly rather than reading the session again.
  const starred = user ? await starredAmong(user.id, papers.map((p) => p.id)) : undefined;
  return new Response(topicCardsHtml(papers, starred, topics, selected), {
    headers: { "content-type": "text/html; charset=utf-8", "x-next-offset": String(offset + papers.length), "cache-control": "no-store" },
  });
}
