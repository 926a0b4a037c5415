// /topics: the reader's topics (name, description, keywords, labelled papers, the state of the
// learned model: updating ones show it live), a form for a new one, and for each: rank today's list
// by it, edit, its RSS feed, delete. Signed out: to sign-in and back.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { getFollowedCategories } from "@/lib/queries/settings";
import { embeddingsAvailable } from "@/lib/topics/embedding";
import { topicFeedPath } from "@/lib/topics/feed-token";
import { DESCRIPTION_MAX, NAME_MAX } from "@/lib/topics/input";
import { removeTopic } from "./actions";
import { readerTopics } from "./listing";
import { modelStateText } from "./model-text";
import { TrainingStatus } from "./model-watch";
import { TopicForm } from "./topic-form";
import "./topics.css";

export const metadata: Metadata = { title: "Topics" };
export const dynamic = "force-dynamic";

export default async function TopicsPage() {
  const user = await getCurrentUser();
  if (!user) redirect("/sign-in?next=/topics");
  const [topics, followed, vectors] = await Promise.all([
    // As a listing reads them: a topic saved without a vector is embedded, a stale model queued again.
    readerTopics(user),
    getFollowedCategories(),
    embeddingsAvailable(),
  ]);
  const today = `/list/${encodeURIComponent(followed.join(","))}`;
  return (
    <section aria-labelledby="topics-title">
      <h1 id="topics-title">Topics</h1>
      <p className="muted">
        A topic ranks every listing by how well each paper matches it. Each topic learns a model of what you want: from
        its name, description and keywords (so a new topic ranks papers at once), from the papers you add to it, away from
        those you mark not interested, and, if you tick it, from the papers you star. It is retrained in the background
        after each change. Keywords also count on their own, next to the model: a paper that has them (in its title
        most) scores higher.
        {vectors ? " The model reads the papers' words and their embedding vectors." : " No embedding model is loaded, so the model reads the papers' words only."}
      </p>
      {topics.length === 0 ? (
        <div className="empty-state">
          <h2>No topics yet</h2>
          <p>Create one below: a name, a sentence about what you want to read, and a few keywords are enough.</p>
        </div>
      ) : (
        <ul className="topic-list">
          {topics.map((t) => (
            <li key={t.id} className="topic-item" data-topic-id={t.id}>
              <h2>{t.name}</h2>
              {t.description ? <p>{t.description}</p> : null}
              <p>
                {t.keywords.length ? t.keywords.map((k) => <span key={k} className="keyword-chip">{k}</span>) : <span className="muted">No keywords</span>}
              </p>
              <p className="muted">
                {`${t.positives} paper${t.positives === 1 ? "" : "s"} added, ${t.negatives} marked not interested`}
                {t.hasEmbedding ? " · description embedded" : ""}
                {t.includeStarred ? " · learns from stars" : ""}
                {" · model: "}
                {t.model.state === "training" ? <TrainingStatus topicId={t.id} text="updating…" /> : modelStateText(t.model)}
              </p>
              <div className="topic-links">
                <Link href={`${today}?topic=${t.id}`}>Rank today&apos;s papers</Link>{" · "}
                <Link href={`/topics/${t.id}`}>Edit</Link>{" · "}
                <a href={topicFeedPath(t.id)} title="Private feed address: anyone with it can read this topic's list">RSS</a>{" · "}
                <form action={removeTopic} className="inline-form">
                  <input type="hidden" name="id" value={t.id} />
                  <button type="submit" className="link-button" aria-label={`Delete ${t.name}`}>Delete</button>
                </form>
              </div>
            </li>
          ))}
        </ul>
      )}
      <h2>New topic</h2>
      <TopicForm initial={{ name: "", description: "", keywords: "" }} limits={{ name: NAME_MAX, description: DESCRIPTION_MAX }} />
    </section>
  );
}
