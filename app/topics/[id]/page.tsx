// /topics/<id>: edit one of the reader's topics, and see (and take back) the papers added to it or
// marked not interested. Another reader's topic is "not found", like a missing one.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { getTopic, listTopicPapers } from "@/lib/queries/topics";
import { topicFeedPath } from "@/lib/topics/feed-token";
import { DESCRIPTION_MAX, NAME_MAX } from "@/lib/topics/input";
import { clearLabel, removeTopic } from "../actions";
import { TopicForm } from "../topic-form";
import "../topics.css";

export const metadata: Metadata = { title: "Edit topic" };
export const dynamic = "force-dynamic";

export default async function TopicPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(`/topics/${id}`)}`);
  const [topic, papers] = await Promise.all([getTopic(user.id, id), listTopicPapers(user.id, id)]);
  if (!topic) notFound();
  return (
    <section aria-labelledby="topic-title">
      <p><Link href="/topics">← All topics</Link></p>
      <h1 id="topic-title">{topic.name}</h1>
      <TopicForm
        initial={{ id: topic.id, name: topic.name, description: topic.description, keywords: topic.keywords.join(", ") }}
        limits={{ name: NAME_MAX, description: DESCRIPTION_MAX }}
      />
      <h2>Papers</h2>
      {papers.length === 0 ? (
        <p className="muted">None yet. Add papers from any listing (“Add to topic”, or star while the list is ranked by this topic).</p>
      ) : (
        <ul>
          {papers.map((p) => (
            <li key={p.id}>
              <span className="badge">{p.label === "positive" ? "added" : "not interested"}</span>{" "}
              <Link href={`/papers/${p.id}`}>{p.title}</Link>{" "}
              <form action={clearLabel} className="inline-form">
                <input type="hidden" name="topicId" value={topic.id} />
                <input type="hidden" name="paperId" value={p.id} />
                <button type="submit" className="link-button" aria-label={`Remove ${p.title} from this topic`}>Remove</button>
              </form>
            </li>
          ))}
        </ul>
      )}
      <p>
        Feed: <a href={topicFeedPath(topic.id)}>RSS of this topic&apos;s daily list</a>{" "}
        <span className="muted">(a private address: anyone who has it can read the list)</span>
      </p>
      <form action={removeTopic}>
        <input type="hidden" name="id" value={topic.id} />
        <button type="submit">Delete this topic</button>
      </form>
    </section>
  );
}
