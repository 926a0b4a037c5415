// /list/<categories>: a day's papers for one category, a union (cs.AI,cs.CL) or a union minus
// some (cs.AI+cs.LG-cs.CY). ?date=YYYY-MM-DD (default: the latest day with data), ?type=new|cross|replace,
// ?topic=<id>&min=<0..100>: sorted by one of the reader's topics, only papers scoring at least min.
import type { Metadata } from "next";
import { formatListingSpec, ListingSpecError, parseListingSpec } from "@/lib/arxiv/categories";
import { listingDays } from "@/lib/queries/listings";
import { ListingView } from "../../components/listing-view";
import { parseThreshold } from "../../topics/listing";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ spec: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const raw = decodeURIComponent((await params).spec);
  try {
    const text = formatListingSpec(parseListingSpec(raw));
    return { title: text, alternates: { types: { "application/rss+xml": `/list/${encodeURIComponent(text)}/feed` } } };
  } catch {
    return { title: "Unknown category", robots: { index: false } };
  }
}

export default async function ListingPage({ params, searchParams }: Props) {
  const raw = decodeURIComponent((await params).spec);
  const query = await searchParams;
  let spec;
  try {
    spec = parseListingSpec(raw);
  } catch (error) {
    if (!(error instanceof ListingSpecError)) throw error;
    return (
      <section className="empty-state" role="alert">
        <h1>Unknown category</h1>
        <p>{error.message}</p>
        <p>
          Combine categories with a comma (<a href="/list/cs.AI,cs.CL">cs.AI,cs.CL</a>) and leave some out with a minus (
          <a href="/list/cs.AI+cs.LG-cs.CY">cs.AI+cs.LG-cs.CY</a>).
        </p>
      </section>
    );
  }
  const basePath = `/list/${encodeURIComponent(formatListingSpec(spec))}`;
  const days = await listingDays(spec);
  const requested = one(query.date);
  if (requested !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(requested)) {
    return (
      <section className="empty-state" role="alert">
        <h1>Not a date</h1>
        <p>{`"${requested.slice(0, 40)}" is not a date. Dates look like 2025-04-28.`}</p>
        <p><a href={basePath}>Show the latest day</a></p>
      </section>
    );
  }
  const date = requested ?? days[0];
  if (!date) {
    return (
      <section className="empty-state">
        <h1>{formatListingSpec(spec)}</h1>
        <p>No papers of these categories are stored yet.</p>
        <p>
          An admin can crawl them: <code>{`npm run crawl -- ${spec.include.map((c) => `--category ${c}`).join(" ")}`}</code>
        </p>
      </section>
    );
  }
  return (
    <ListingView
      spec={spec}
      date={date}
      days={days}
      tab={one(query.type)}
      basePath={basePath}
      topic={one(query.topic) || undefined}
      min={parseThreshold(one(query.min))}
    />
  );
}
