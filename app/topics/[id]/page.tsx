// /topics/<id>: edit one of the reader's topics, see its learned model (when it was trained and on
// what, or that it is being updated: the page then refreshes itself when it is done; the terms it
// learned each way), and see (and take back) the papers added to it or marked not interested.
// Another reader's topic is "not found", like a missing one.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { getTopic, listTopicPapers } from "@/lib/queries/topics";
import { topicFeedPath } from "@/lib/topics/feed-token";
import { DESCRIPTION_MAX, NAME_MAX } from "@/lib/topics/input";
import { queueTraining } from "@/lib/relevance/queue-training";
import { clearLabel, removeTopic } from "../actions";
import { ago, trainedOnText } from "../model-text";
import { TrainingStatus } from "../model-watch";
import { TopicForm } from "../topic-form";
import { DigestSection } from "../digest-section";
import "../topics.css";

export const metadata: Metadata = { title: "Edit topic" };
export const dynamic = "force-dynamic";

export default async function TopicPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(`/topics/${id}`)}`);
  const [topic, papers] = await Promise.all([getTopic(user.id, id), listTopicPapers(user.id, id)]);
  if (!topic) notFound();
  const { model } = topic;
  // Queued again in case the job was lost (a queue outage); a job already waiting is not doubled.
  if (model.state === "training") await queueTraining([topic.id]);
  return (
    <section aria-labelledby="topic-title">
      <p><Link href="/topics">← All topics</Link></p>
      <h1 id="topic-title">{topic.name}</h1>
      <TopicForm
        initial={{
          id: topic.id,
          name: topic.name,
          description: topic.description,
          keywords: topic.keywords.join(", "),
          includeStarred: topic.includeStarred,
        }}
        limits={{ name: NAME_MAX, description: DESCRIPTION_MAX }}
      />
      <section aria-labelledby="model-title" className="topic-model">
        <h2 id="model-title">Model</h2>
        {model.state === "training" ? (
          <p>
            <TrainingStatus topicId={topic.id} className="model-updating" />
          </p>
        ) : model.state === "ready" ? (
          <p>
            {"Trained "}
            {model.trainedAt ? (
              <time dateTime={model.trainedAt.toISOString()} title={model.trainedAt.toISOString()}>
                {ago(model.trainedAt)}
              </time>
            ) : null}{" "}
            {`${trainedOnText(topic)}.`}
          </p>
        ) : (
          <p>{`Not trained yet: ${model.note ?? "the model could not be trained"}.`}</p>
        )}
        <h3>What this topic has learned</h3>
        {model.learned.positive.length || model.learned.negative.length ? (
          <div className="learned">
            <div>
              <h4>Raises the score</h4>
              <TermChips terms={model.learned.positive} label="Terms that raise a paper's score" kind="positive" />
            </div>
            <div>
              <h4>Lowers the score</h4>
              <TermChips terms={model.learned.negative} label="Terms that lower a paper's score" kind="negative" />
            </div>
          </div>
        ) : (
          <p className="muted">
            {model.state === "training"
              ? "Nothing yet: the terms it learns show here once the model is trained."
              : "Nothing yet. Add papers to this topic, or mark some not interested, from any listing."}
          </p>
        )}
      </section>
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
      <DigestSection userId={user.id} email={user.email} topicId={topic.id} />
      <form action={removeTopic}>
        <input type="hidden" name="id" value={topic.id} />
        <button type="submit">Delete this topic</button>
      </form>
    </section>
  );
}

function TermChips({ terms, label, kind }: { terms: string[]; label: string; kind: "positive" | "negative" }) {
  if (!terms.length) return <p className="muted">None yet.</p>;
  return (
    <ul className={`term-chips ${kind}`} aria-label={label}>
      {terms.map((t, i) => (
        <li key={`${i}:${t}`} className="keyword-chip">
          {t}
        </li>
      ))}
    </ul>
  );
}
