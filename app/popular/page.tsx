// /popular: "Popular this week", the papers announced in the last seven days that the most readers
// starred, opened or asked an FAQ about (each reader once per paper; lib/popularity/sql.ts), best
// first, with their counts on the cards. The same for everyone: the counts are not personal, only the
// cards' stars and topic menus are the reader's own.
import type { Metadata } from "next";
import { getCurrentUser } from "@/lib/auth";
import { listPopularThisWeek, WEEK_DAYS } from "@/lib/queries/popularity";
import { CardActions } from "../components/card-actions";
import { CardList } from "../components/card-list";
import { starredFor } from "../components/starred-for";
import { readerTopics, topicCardsHtml } from "../topics/listing";
import "../topics/topics.css";

export const metadata: Metadata = { title: "Popular this week" };
export const dynamic = "force-dynamic";

export default async function PopularPage() {
  const { since, papers } = await listPopularThisWeek();
  const [starred, topics] = await Promise.all([starredFor(papers.map((p) => p.id)), getCurrentUser().then(readerTopics)]);
  return (
    <section aria-labelledby="popular-title" className="popular">
      <h1 id="popular-title">Popular this week</h1>
      <p className="muted popular-intro">
        {`Papers announced in the last ${WEEK_DAYS} days (since ${since}), ranked by how many readers starred, opened or asked for an FAQ about each. A reader counts once per paper, whatever they did; each card shows ★ stars · FAQ requests · opens.`}
      </p>
      {papers.length === 0 ? (
        <div className="empty-state">
          <p>No reader has starred, opened or asked about a paper this week yet.</p>
          <p className="muted">
            Signed-in readers make papers popular by starring them, opening their pages or asking for their FAQ. Start with{" "}
            <a href="/">today&apos;s papers</a>.
          </p>
        </div>
      ) : (
        <CardList html={topicCardsHtml(papers, starred, topics, undefined)} />
      )}
      <CardActions />
    </section>
  );
}
