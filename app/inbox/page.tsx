// /inbox: a signed-in reader's home once they have topics (app/page.tsx and the web front send "/"
// here). The papers of the followed categories announced since their previous visit that score at
// least the threshold for one of their topics (the papers each topic's digest sends), best first,
// each once, tagged with the topics it matched; papers scrolled past or left with j/k are marked
// seen and stay out on the next view ("Show seen", ?seen=1, brings them back); a new version of a
// seen paper comes back once, marked "Updated". Per reader: never kept by
// the page cache (lib/page-cache.ts keeps only /, /list/…, /search and /papers/…). Signed out: to
// sign-in and back. The window and how a visit keeps it: lib/queries/inbox.ts and ./visit.ts.
import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { parseListingSpec } from "@/lib/arxiv/categories";
import { inboxDays, listInbox, recordInboxVisit, INBOX_DAYS, INBOX_LIMIT } from "@/lib/queries/inbox";
import { getFollowedCategories } from "@/lib/queries/settings";
import { DEFAULT_FEED_THRESHOLD } from "@/lib/topics/blend";
import { pct } from "@/lib/topics/card-html";
import { CardActions } from "../components/card-actions";
import { CardList } from "../components/card-list";
import { starredFor } from "../components/starred-for";
import { readerTopics } from "../topics/listing";
import "../topics/topics.css";
import { InboxClient } from "./inbox-client";
import { inboxCardsHtml } from "./inbox-html";
import { readVisit, VISIT_COOKIE, visitValue } from "./visit";

export const metadata: Metadata = { title: "Inbox" };
export const dynamic = "force-dynamic";

/** A moment as the page says it: 2026-12-05 09:14 UTC. */
const when = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;

export default async function InboxPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).seen;
  // Only "1" turns seen papers on; anything else is the default view, never an error.
  const showSeen = (Array.isArray(raw) ? raw[0] : raw) === "1";
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(showSeen ? "/inbox?seen=1" : "/inbox")}`);
  const topics = await readerTopics(user);
  if (!topics.length) {
    return (
      <section className="empty-state inbox" aria-labelledby="inbox-title">
        <h1 id="inbox-title">Inbox</h1>
        <p>
          Your inbox gathers the new papers that score high for your topics, best first, each shown once. You have no topic
          yet: <a href="/topics">create one</a> (a name, a few words about it, some keywords) and the papers of each new day
          that match it show up here.
        </p>
        <p>
          Meanwhile, <a href="/?all=1">browse today&apos;s papers</a>.
        </p>
      </section>
    );
  }

  // The start this visit uses: kept by the cookie across reloads, else the view before this one.
  const kept = readVisit((await cookies()).get(VISIT_COOKIE)?.value, user.id);
  const previous = await recordInboxVisit(user.id);
  const since = kept !== undefined ? kept : previous;
  // The followed categories, as "/" and the daily digest read them.
  const spec = parseListingSpec((await getFollowedCategories()).join(","));
  const days = await inboxDays(spec, since);
  const inbox = await listInbox(user.id, topics, spec, days, { showSeen });
  const starred = (await starredFor(inbox.papers.map((p) => p.id))) ?? new Set<string>();
  const threshold = pct(DEFAULT_FEED_THRESHOLD);
  const range = days.length ? (days.length === 1 ? days[0]! : `${days.at(-1)} to ${days[0]}`) : "";
  const sinceText = since ? `since ${when(since)}` : `on ${days[0] ?? "the latest day"}`;
  const seenLink = showSeen ? "/inbox" : "/inbox?seen=1";

  return (
    <section aria-labelledby="inbox-title" className="inbox">
      <header className="inbox-head">
        <h1 id="inbox-title">Inbox</h1>
        <p className="muted">
          {days.length
            ? `Papers announced ${days.length === 1 ? "on" : "from"} ${range} scoring ${threshold} or more for one of your topics, best first${
                since ? ` (your previous visit: ${when(since)}; at most the last ${INBOX_DAYS} announced days)` : ""
              }.`
            : "No day has been announced yet."}
        </p>
        <nav className="inbox-nav" aria-label="Inbox">
          <a href={seenLink} role="switch" aria-checked={showSeen} className="inbox-switch">
            <span className="inbox-switch-track" aria-hidden="true" />
            {`Show seen${!showSeen && inbox.seenHidden ? ` (${inbox.seenHidden})` : ""}`}
          </a>
          <a href="/?all=1">All of today&apos;s papers</a>
          <a href="/topics">Your topics</a>
        </nav>
        <p className="muted inbox-keys">
          Scrolling past a paper marks it seen. <kbd>j</kbd>/<kbd>k</kbd> move and mark the paper left seen,{" "}
          <kbd>x</kbd> marks the current one unseen again.
        </p>
      </header>
      {inbox.papers.length === 0 ? (
        <div className="empty-state">
          <p>
            {days.length
              ? `Nothing new above your topics' thresholds ${sinceText}.`
              : "No papers have been announced yet: the inbox fills once a crawl has stored a day."}
            {inbox.seenHidden ? (
              <>
                {` ${inbox.seenHidden === 1 ? "One paper you have seen is" : `${inbox.seenHidden} papers you have seen are`} hidden: `}
                <a href="/inbox?seen=1">show {inbox.seenHidden === 1 ? "it" : "them"}</a>.
              </>
            ) : null}
          </p>
          <p>
            <a href="/?all=1">Browse today&apos;s papers</a>, or <a href="/topics">refine your topics</a> (keywords, papers
            added to them) so that more papers score high.
          </p>
        </div>
      ) : (
        <>
          {inbox.total - inbox.seenHidden > INBOX_LIMIT ? (
            <p className="muted">{`Showing the best ${INBOX_LIMIT} of ${inbox.total - inbox.seenHidden}.`}</p>
          ) : null}
          <CardList html={inboxCardsHtml(inbox.papers, starred, topics)} />
        </>
      )}
      <InboxClient visit={visitValue(user.id, since)} />
      <CardActions />
    </section>
  );
}
