// A day's listing for a set of categories: title, previous/next day, calendar of days with data,
// tabs per announce type with counts, the order (arXiv's, or most readers first), the keyword
// filter, and the papers. The first page of cards comes with the page; the rest loads as the reader
// scrolls, in the same order. Cards are server-rendered HTML (lib/render/card-html) with the counts
// of readers (one query per page); CardActions gives them their buttons.
import { categoryName, formatListingSpec, type ListingSpec } from "@/lib/arxiv/categories";
import { getCurrentUser } from "@/lib/auth";
import { countListing, listPapersForDay } from "@/lib/queries/listings";
import { withPopularity } from "@/lib/queries/popularity";
import type { ListingSort } from "@/lib/query-params";
import { listScoredPapersForDay } from "@/lib/queries/topics";
import { embeddingsAvailable } from "@/lib/topics/embedding";
import { slot, topicPickerHtml } from "@/lib/render/reader-html";
import { readerTopics, thresholdParam, topicCardsHtml } from "../topics/listing";
import { RetrainBanner } from "../topics/model-watch";
import "../topics/topics.css";
import { CardActions } from "./card-actions";
import { CardList } from "./card-list";
import { dayCalendarProps } from "./day-calendar-props";
import { KeywordFilter } from "./keyword-filter";
import { ListingHead } from "./listing-head";
import { TABS, tabFor } from "./listing-tabs";
import { MorePapers } from "./more-papers";
import { starredFor } from "./starred-for";

const PAGE = 25;

export async function ListingView({
  spec,
  date,
  days,
  tab,
  basePath,
  topic,
  min = 0,
  sort = "arxiv",
}: {
  spec: ListingSpec;
  date: string;
  /** Days with data, newest first. */
  days: string[];
  tab: string | undefined;
  basePath: string;
  /** ?topic=: sort by this topic's score (the reader's own topics only). */
  topic?: string;
  /** ?min=: with a topic, only papers scoring at least this (0..1). */
  min?: number;
  /** ?sort=: arXiv's order or most readers first; a selected topic ranks instead. */
  sort?: ListingSort;
}) {
  const current = tabFor(tab);
  const user = await getCurrentUser();
  const topics = await readerTopics(user);
  const selected = topics.find((t) => t.id === topic);
  const order: ListingSort = selected ? "arxiv" : sort;
  const [counts, scored, plain, vectors] = await Promise.all([
    countListing(spec, date),
    selected && user ? listScoredPapersForDay(user.id, selected.id, spec, date, { types: current.types, min, limit: PAGE }) : undefined,
    selected ? undefined : listPapersForDay(spec, date, { types: current.types, limit: PAGE, sort: order }),
    selected ? embeddingsAvailable() : false,
  ]);
  const listed = scored?.papers ?? plain ?? [];
  const [first, starred] = await Promise.all([withPopularity(listed), starredFor(listed.map((p) => p.id))]);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const inTab = current.types.length ? current.types.reduce((n, t) => n + counts[t], 0) : total;
  const shown = scored ? scored.total : inTab;
  const topicQuery = selected ? `&topic=${selected.id}${min > 0 ? `&min=${thresholdParam(min)}` : ""}` : "";
  const sortQuery = order === "popular" ? "&sort=popular" : "";
  // Days are newest first; a date without data still gets its nearest neighbours.
  const older = days.find((d) => d < date);
  const newer = [...days].reverse().find((d) => d > date);
  const specText = formatListingSpec(spec);
  const title = spec.include.length === 1 && !spec.exclude.length ? `${specText} — ${categoryName(specText) ?? ""}` : specText;
  const query = (d: string, t = current.key) => `date=${d}${t !== "all" ? `&type=${t}` : ""}${topicQuery}${sortQuery}`;
  // The order's links leave a topic ranking (the topic picker's "arXiv order" does the same).
  const sortHref = (s: ListingSort) => `${basePath}?date=${date}${current.key !== "all" ? `&type=${current.key}` : ""}${s === "popular" ? "&sort=popular" : ""}`;

  return (
    <section aria-labelledby="listing-title" className="listing">
      <ListingHead
        title={title}
        older={older ? { href: `${basePath}?${query(older)}`, label: older } : undefined}
        newer={newer ? { href: `${basePath}?${query(newer)}`, label: newer } : undefined}
        calendar={dayCalendarProps(days, date, basePath)}
        tabs={TABS.map((t) => ({
          key: t.key,
          href: `${basePath}?${query(date, t.key)}`,
          label: `${t.label} ${t.types.length ? t.types.reduce((n, type) => n + counts[type], 0) : total}`,
          current: t.key === current.key,
        }))}
        feedHref={`/list/${encodeURIComponent(specText)}/feed`}
        sorts={(["arxiv", "popular"] as const).map((s) => ({ key: s, href: sortHref(s), label: s === "arxiv" ? "arXiv" : "Popular", current: !selected && s === order }))}
      />
      {/* The reader's part (a reader slot): empty for nobody, filled by the web front or here. */}
      <div
        className="reader-slot"
        suppressHydrationWarning
        dangerouslySetInnerHTML={{
          __html: slot(
            "picker",
            topicPickerHtml(user, {
              topics,
              selected: selected?.id,
              requested: topic,
              min,
              date,
              type: current.key,
              action: basePath,
              keywordsOnly: selected ? !vectors : false,
              total: scored ? { shown, of: inTab } : undefined,
            }),
            { date, type: current.key, action: basePath },
          ),
        }}
      />
      <KeywordFilter total={shown} />
      {selected ? (
        // While the topic's model is updated (now, or after a label from a card): says so, then re-ranks.
        <RetrainBanner key={selected.id} topicId={selected.id} topicName={selected.name} training={selected.model.state === "training"} />
      ) : null}
      {shown === 0 ? (
        <p className="empty-state">
          {inTab > 0 && selected
            ? `None of the ${inTab} papers scores ${Math.round(min * 100)} or more for ${selected.name}. Lower the threshold to see more.`
            : `Nothing ${current.key === "all" ? "" : "of this kind "}was announced in ${specText} on ${date}.`}
        </p>
      ) : (
        <>
          <CardList html={topicCardsHtml(first, starred, topics, selected)} fallbackUrl={`${basePath}/cards?${query(date)}&offset=0&limit=${PAGE}`} />
          <MorePapers url={`${basePath}/cards?${query(date)}`} loaded={first.length} total={shown} pageSize={PAGE} />
        </>
      )}
      <CardActions />
    </section>
  );
}
