"use client";
// The reader's labels (chips, each a link to the Starred page filtered by it) and private note on one
// starred paper, with an inline editor: labels added one at a time (the reader's existing labels
// offered by a <datalist>, commas split several), removed with their × button, and the note. Save
// sends them through the setStarLabels / setStarNote actions, which check everything again; Escape
// or Cancel leaves them as they were.
import { useRouter } from "next/navigation";
import { useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { setStarLabels, setStarNote } from "@/app/stars/actions";
import { LABEL_MAX, NOTE_MAX, normalizeLabel, sameLabel } from "@/lib/star-label-rules";
import { labelHref } from "./label-href";

export function StarNotes({
  paperId,
  title,
  labels: savedLabels,
  note: savedNote,
  optionsId,
}: {
  paperId: string;
  title: string;
  labels: string[];
  note: string | null;
  /** The id of the page's <datalist> of the reader's labels. */
  optionsId: string;
}) {
  const router = useRouter();
  const id = useId();
  const [shown, setShown] = useState({ labels: savedLabels, note: savedNote });
  const [editing, setEditing] = useState(false);
  const [labels, setLabels] = useState<string[]>(savedLabels);
  const [note, setNote] = useState(savedNote ?? "");
  const [adding, setAdding] = useState("");
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [saving, setSaving] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);

  /** The labels with those typed in `text` (comma-separated) added; a problem is shown, not thrown. */
  function withTyped(list: string[], text: string): string[] | undefined {
    const next = [...list];
    for (const raw of text.split(",")) {
      const label = normalizeLabel(raw);
      if (!label) continue;
      if (label.length > LABEL_MAX) {
        setError(`"${label.slice(0, 30)}…" is ${label.length} characters long; a label has at most ${LABEL_MAX}.`);
        return undefined;
      }
      if (!next.some((l) => sameLabel(l, label))) next.push(label);
    }
    return next;
  }

  function add() {
    const next = withTyped(labels, adding);
    if (!next) return;
    setError("");
    setLabels(next);
    setAdding("");
    input.current?.focus();
  }

  function onKey(event: KeyboardEvent<HTMLInputElement>) {
    // Enter adds what is typed; with nothing typed it saves, as in any form.
    if (event.key === "Enter" && adding.trim()) {
      event.preventDefault();
      add();
    }
  }

  function open() {
    setLabels(shown.labels);
    setNote(shown.note ?? "");
    setAdding("");
    setError("");
    setStatus("");
    setEditing(true);
    requestAnimationFrame(() => input.current?.focus());
  }

  function close() {
    setEditing(false);
    requestAnimationFrame(() => editButton.current?.focus());
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    // A label typed but not yet added is meant to be kept.
    const wanted = withTyped(labels, adding);
    if (!wanted) return;
    setSaving(true);
    setError("");
    try {
      let next = shown;
      if (wanted.join("\n") !== shown.labels.join("\n")) {
        const result = await setStarLabels(paperId, wanted);
        if ("error" in result) return setError(result.error);
        next = { ...next, labels: result.labels };
      }
      if (note.trim() !== (shown.note ?? "")) {
        const result = await setStarNote(paperId, note);
        if ("error" in result) {
          setShown(next);
          return setError(result.error);
        }
        next = { ...next, note: result.note };
      }
      setShown(next);
      setStatus("Saved");
      close();
      // The label list and its counts above the papers change with these.
      router.refresh();
    } catch {
      setError("The server could not be reached. Try again.");
    } finally {
      setSaving(false);
    }
  }

  const has = shown.labels.length > 0 || shown.note;
  return (
    <div className="star-notes">
      {!editing ? (
        <>
          {shown.labels.length ? (
            <ul className="label-chips" aria-label="Labels">
              {shown.labels.map((l) => (
                <li key={l}>
                  <a className="label-chip" href={labelHref(l)}>
                    {l}
                  </a>
                </li>
              ))}
            </ul>
          ) : null}
          {shown.note ? (
            <p className="star-note">
              <span className="visually-hidden">Your note: </span>
              {shown.note}
            </p>
          ) : null}
          <p className="star-notes-actions">
            <button type="button" className="link-button" ref={editButton} onClick={open} aria-label={`${has ? "Edit labels and note" : "Add labels or a note"} for ${title}`}>
              {has ? "Edit labels and note" : "Add labels or a note"}
            </button>
            <span className="copied" role="status" aria-live="polite">
              {status}
            </span>
          </p>
        </>
      ) : (
        <form
          className="star-notes-form"
          onSubmit={save}
          aria-label={`Labels and note for ${title}`}
          onKeyDown={(e) => {
            if (e.key === "Escape" && !saving) close();
          }}
        >
          <div className="label-editor" role="group" aria-labelledby={`${id}-labels`}>
            <span id={`${id}-labels`} className="star-notes-legend">
              Labels
            </span>
            {labels.length ? (
              <ul className="label-chips">
                {labels.map((l) => (
                  <li key={l} className="label-chip label-chip-edit">
                    {l}
                    <button type="button" className="label-remove" aria-label={`Remove label ${l}`} onClick={() => setLabels(labels.filter((o) => o !== l))}>
                      <span aria-hidden="true">×</span>
                    </button>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">none yet</span>
            )}
            <span className="label-add">
              <input
                ref={input}
                list={optionsId}
                value={adding}
                onChange={(e) => setAdding(e.target.value)}
                onKeyDown={onKey}
                aria-label="New label"
                placeholder="to read"
                maxLength={LABEL_MAX * 20}
                autoComplete="off"
              />
              <button type="button" onClick={add} disabled={!adding.trim()}>
                Add
              </button>
            </span>
          </div>
          <div className="star-note-field">
            <label htmlFor={`${id}-note`} className="star-notes-legend">
              Private note
            </label>
            <textarea id={`${id}-note`} value={note} onChange={(e) => setNote(e.target.value)} rows={3} maxLength={NOTE_MAX} aria-describedby={`${id}-note-count`} />
            <span id={`${id}-note-count`} className="field-hint">{`${note.length.toLocaleString("en")} of ${NOTE_MAX.toLocaleString("en")} characters`}</span>
          </div>
          <p className="form-error" role="alert">
            {error}
          </p>
          <p className="star-notes-buttons">
            <button type="submit" className="primary-button" disabled={saving}>
              {saving ? "Saving…" : "Save"}
            </button>
            <button type="button" onClick={close} disabled={saving}>
              Cancel
            </button>
          </p>
        </form>
      )}
    </div>
  );
}
