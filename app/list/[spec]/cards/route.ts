// GET /list/<categories>/cards?date=&type=&offset=&limit=: the next cards of a listing as HTML, for
// the page's "more" loader. X-Next-Offset says where the following page starts.
import { parseListingSpec, ListingSpecError } from "@/lib/arxiv/categories";
import { listPapersForDay } from "@/lib/queries/listings";
import { cardsHtml } from "@/lib/render/card-html";
import { starredFor } from "../../../components/starred-for";
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
  const papers = await listPapersForDay(spec, date, { types: tabFor(url.searchParams.get("type") ?? undefined).types, offset, limit });
  const starred = await starredFor(papers.map((p) => p.id));
  return new Response(cardsHtml(papers, starred), {
    headers: { "content-type": "text/html; charset=utf-8", "x-next-offset": String(offset + papers.length), "cache-control": "no-store" },
  });
}
