"use client";
// The topic picker above a listing: sort the day by one of the reader's topics and keep only papers
// scoring at least a threshold. A plain GET form (works without JavaScript); changing the topic
// submits it at once.
import Link from "next/link";

export function TopicPicker({
  topics,
  selected,
  requested,
  min,
  date,
  type,
  action,
  keywordsOnly,
  total,
}: {
  topics: { id: string; name: string }[];
  selected: string | undefined;
  /** The ?topic= asked for, to say so when it is not one of the reader's. */
  requested: string | undefined;
  min: number;
  date: string;
  type: string;
  action: string;
  keywordsOnly: boolean;
  total: { shown: number; of: number } | undefined;
}) {
  if (!topics.length) {
    return (
      <p className="topic-picker muted">
        <Link href="/topics">Create a topic</Link> to rank this list by what you care about.
      </p>
    );
  }
  return (
    <form className="topic-picker" method="get" action={action} aria-label="Topic ranking">
      <input type="hidden" name="date" value={date} />
      {type !== "all" ? <input type="hidden" name="type" value={type} /> : null}
      <label htmlFor="topic-select">Rank by</label>
      <select id="topic-select" name="topic" defaultValue={selected ?? ""} onChange={(e) => e.currentTarget.form?.requestSubmit()}>
        <option value="">arXiv order (no topic)</option>
        {topics.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
          ))}
      </select>
      <label htmlFor="topic-min">Minimum score</label>
      <input id="topic-min" type="number" name="min" min={0} max={100} step={5} defaultValue={Math.round(min * 100)} disabled={!selected} />
      <button type="submit">Apply</button>
      {total ? <span className="muted" role="status">{`${total.shown} of ${total.of} papers`}</span> : null}
      {keywordsOnly ? (
        <span className="muted">No embedding model is loaded: the topic learns from the papers&apos; words (and the vectors papers already have).</span>
      ) : null}
      {requested && !selected ? <span className="form-error" role="alert">That topic is not one of yours; showing arXiv order.</span> : null}
      <Link href="/topics">Manage topics</Link>
    </form>
  );
}
