// RSS for a listing: the latest day (or ?date=) of the categories in the URL.
import { formatListingSpec, ListingSpecError, parseListingSpec } from "@/lib/arxiv/categories";
import { rssDocument, rssResponse } from "@/lib/feeds";
import { listingDays, listPapersForDay } from "@/lib/queries/listings";

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
  const requested = new URL(request.url).searchParams.get("date");
  if (requested !== null && !/^\d{4}-\d{2}-\d{2}$/.test(requested)) return new Response("date must look like 2025-04-28", { status: 400 });
  const date = requested ?? (await listingDays(spec, 1))[0];
  const papers = date ? await listPapersForDay(spec, date) : [];
  const text = formatListingSpec(spec);
  return rssResponse(
    rssDocument(
      { title: `arXiv ${text}${date ? ` — ${date}` : ""}`, path: `/list/${encodeURIComponent(text)}`, description: `Papers announced in ${text}` },
      papers.map((p) => ({ ...p, date: date ? new Date(`${date}T00:00:00Z`) : null })),
    ),
  );
}
