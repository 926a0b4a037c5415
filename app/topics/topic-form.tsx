"use client";
// The create/edit form of a topic. Submits to the saveTopic server action; errors come back in
// words with everything typed kept in the form. Saving (re)trains the topic's model: its text, its
// papers and, when ticked, the reader's starred papers are what it learns from.
import { useActionState } from "react";
import { saveTopic, type TopicFormState } from "./actions";

export interface TopicFormValues {
  id?: string;
  name: string;
  description: string;
  keywords: string;
  /** Whether the reader's starred papers train the topic too (unticked for a new topic). */
  includeStarred?: boolean;
}

export function TopicForm({ initial, limits }: { initial: TopicFormValues; limits: { name: number; description: number } }) {
  const [state, action, pending] = useActionState<TopicFormState, FormData>(saveTopic, {});
  const v = state.values ?? { ...initial, seeds: "" };
  const editing = Boolean(initial.id);
  // A checkbox sends "on" when ticked and nothing otherwise; an answer carries what was sent.
  const includeStarred = state.values ? state.values.includeStarred === "on" : Boolean(initial.includeStarred);
  return (
    // key: a new answer resets the fields to the values it carries (kept on error, cleared seeds on save).
    <form action={action} className="topic-form" key={JSON.stringify(state)} aria-label={editing ? "Edit topic" : "New topic"}>
      {initial.id ? <input type="hidden" name="id" value={initial.id} /> : null}
      <label>
        Name
        <input name="name" required maxLength={limits.name} defaultValue={v.name} placeholder="Efficient transformers" />
      </label>
      <label>
        Description{" "}
        <span className="hint">
          What you want to read about, in a sentence or two. The topic learns from this text from the start, so it ranks
          papers before you add any; the papers you add or mark not interested then refine it.
        </span>
        <textarea name="description" rows={3} maxLength={limits.description} defaultValue={v.description} />
      </label>
      <label>
        Keywords <span className="hint">Comma-separated or one per line; phrases allowed. Matched as words (attention matches “attentions”).</span>
        <textarea name="keywords" rows={2} defaultValue={v.keywords} placeholder="sparse attention, long context, linear attention" />
      </label>
      <label>
        {editing ? "Add seed papers" : "Seed papers"} <span className="hint">arXiv ids of papers that are on topic (optional), separated by spaces.</span>
        <input name="seeds" defaultValue={v.seeds ?? ""} placeholder="2104.12255 1706.03762" />
      </label>
      <label className="check">
        <input type="checkbox" name="includeStarred" defaultChecked={includeStarred} />
        <span>
          Learn from my starred papers too{" "}
          <span className="hint">Every paper you star counts as added to this topic (unless you marked it not interested here).</span>
        </span>
      </label>
      <div>
        <button type="submit" disabled={pending}>{pending ? "Saving…" : editing ? "Save topic" : "Create topic"}</button>{" "}
        {state.error ? <span className="form-error" role="alert">{state.error}</span> : null}
        {state.notice ? <span className="form-notice" role="status">{state.notice}</span> : null}
      </div>
    </form>
  );
}
