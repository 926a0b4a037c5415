// /list/<categories>: a day's papers for one category, a union (cs.AI,cs.CL) or a union minus
// some (cs.AI+cs.LG-cs.CY). ?date=YYYY-MM-DD (default: the latest day with data), ?type=new|cross|replace,
// ?sort=popular: most readers first (stars, FAQ requests, opens; lib/popularity/sql.ts),
// ?topic=<id>&min=<0..100>: sorted by one of the reader's topics, only papers scoring at least min.
// An address it cannot read (lib/query-params.ts listingQuery) gets a page saying why, with HTTP 400
// from proxy.ts.
import type { Metadata } from "next";
import { formatListingSpec, ListingSpecError, parseListingSpec } from "@/lib/arxiv/categories";
import { listingDays } from "@/lib/queries/listings";
import { listingQuery, readQuery } from "@/lib/query-params";
import { BadQuery } from "../../components/bad-query";
import { ListingView } from "../../components/listing-view";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ spec: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

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
  const read = readQuery(listingQuery, query);
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: basePath, label: "Show the latest day" }} />;
  const days = await listingDays(spec);
  const date = read.data.date ?? days[0];
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
      tab={read.data.type}
      basePath={basePath}
      topic={read.data.topic}
      min={read.data.min}
      sort={read.data.sort}
    />
  );
}
