"use client";
// The FAQ panel on a paper page: an "FAQ" button (or what to configure when no LLM is set up), the
// language, the place in the queue while waiting, the answers streaming in over Server-Sent Events,
// a failed state with "Try again", and "made for v1" when the stored FAQ is for an older version.
// Answers are Markdown with $math$: rendered with marked and Temml (MathML), then sanitised with DOMPurify
// in the browser; before hydration (and on the server) they are shown as plain text.
import DOMPurify from "dompurify";
import { Marked } from "marked";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { renderFormula } from "@/lib/render/formula";

export type FaqPanelStatus = "idle" | "queued" | "running" | "done" | "failed";

export interface FaqSnapshot {
  id: string;
  version: number;
  language: string;
  status: Exclude<FaqPanelStatus, "idle">;
  questions: string[];
  answers: string[];
  error: string | null;
  /** What the model read (the PDF's full text, or why only the abstract); null: title and abstract. */
  sourceNote?: string | null;
}

export interface FaqPanelProps {
  paperId: string;
  /** The paper's current version. */
  version: number;
  questionsCount: number;
  /** An LLM endpoint is configured. */
  configured: boolean;
  /** This reader may start a generation (signed in, or FAQ_OPEN). */
  canGenerate: boolean;
  /** The stored FAQ to show at once (for this version, or the newest one for an older version). */
  initial: FaqSnapshot | null;
}

const LANGUAGES = [
  { code: "en", label: "English" },
  { code: "zh", label: "中文" },
] as const;

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

// HTML the model writes is shown as text, not interpreted: answers are Markdown only. DOMPurify
// below is the second line of defence.
const markdown = new Marked({ gfm: true, breaks: false, renderer: { html: ({ text }) => escapeHtml(text) } });

const MATH = /\$\$([\s\S]+?)\$\$|\$((?:\\.|[^$\\\n])+?)\$/g;

/** Markdown with math to sanitised HTML. Math is cut out first so Markdown does not touch the TeX. */
function renderAnswer(text: string): string {
  const formulas: string[] = [];
  const protectedText = text.replace(MATH, (_, display: string | undefined, inline: string | undefined) => {
    const tex = display ?? inline ?? "";
    const html = renderFormula(tex, display !== undefined);
    if (!html) return _;
    formulas.push(html);
    return `MATHSLOT${formulas.length - 1}ZZ`;
  });
  const html = markdown.parse(protectedText, { async: false });
  const withMath = html.replace(/MATHSLOT(\d+)ZZ/g, (_, i: string) => formulas[Number(i)] ?? "");
  return DOMPurify.sanitize(withMath, { USE_PROFILES: { html: true, mathMl: true } });
}

function Answer({ text, mounted, streaming }: { text: string; mounted: boolean; streaming: boolean }) {
  const html = useMemo(() => (mounted && text ? renderAnswer(text) : ""), [mounted, text]);
  if (!text) return <div className="faq-answer muted">{streaming ? "…" : ""}</div>;
  if (!mounted) return <div className="faq-answer" style={{ whiteSpace: "pre-wrap" }}>{text}</div>;
  // Sanitised by DOMPurify just above: MathML and Markdown output only.
  return <div className="faq-answer" dangerouslySetInnerHTML={{ __html: html }} />;
}

export function FaqPanel({ paperId, version, questionsCount, configured, canGenerate, initial }: FaqPanelProps) {
  const [mounted, setMounted] = useState(false);
  const [language, setLanguage] = useState(initial?.language ?? "en");
  const [faqId, setFaqId] = useState<string | null>(initial?.id ?? null);
  const [faqVersion, setFaqVersion] = useState<number>(initial?.version ?? version);
  const [status, setStatus] = useState<FaqPanelStatus>(initial?.status ?? "idle");
  const [position, setPosition] = useState<number | null>(null);
  const [questions, setQuestions] = useState<string[]>(initial?.questions ?? []);
  const [answers, setAnswers] = useState<string[]>(initial?.answers ?? []);
  const [error, setError] = useState<string | null>(initial?.error ?? null);
  const [pending, setPending] = useState(false);
  const [sourceNote, setSourceNote] = useState<string | null>(initial?.sourceNote ?? null);
  /** The language of the FAQ shown (the selector may have moved on to another). */
  const [faqLanguage, setFaqLanguage] = useState(initial?.language ?? "en");
  const source = useRef<EventSource | null>(null);

  useEffect(() => setMounted(true), []);

  const follow = useCallback((id: string) => {
    source.current?.close();
    const events = new EventSource(`/api/faq/${id}/stream`);
    source.current = events;
    const data = <T,>(e: Event) => JSON.parse((e as MessageEvent<string>).data) as T;
    events.addEventListener("questions", (e) => {
      // Sent first on every (re)connection, followed by all text stored so far: start over.
      const d = data<{ questions: string[]; version: number }>(e);
      setQuestions(d.questions);
      setAnswers(d.questions.map(() => ""));
      setFaqVersion(d.version);
    });
    events.addEventListener("status", (e) => {
      const d = data<{ status: "queued" | "running"; position: number | null }>(e);
      setStatus(d.status);
      setPosition(d.position);
    });
    events.addEventListener("delta", (e) => {
      const d = data<{ index: number; text: string; reset?: boolean }>(e);
      setStatus((s) => (s === "queued" ? "running" : s));
      setAnswers((prev) => {
        const next = [...prev];
        next[d.index] = d.reset ? d.text : (next[d.index] ?? "") + d.text;
        return next;
      });
    });
    events.addEventListener("done", (e) => {
      setSourceNote(data<{ sourceNote?: string | null }>(e).sourceNote ?? null);
      setStatus("done");
      events.close();
    });
    events.addEventListener("failed", (e) => {
      const d = data<{ error: string; answers: { answer: string; done: boolean }[] }>(e);
      setStatus("failed");
      setError(d.error);
      if (d.answers.length) setAnswers(d.answers.map((a) => (a.done ? a.answer : "")));
      events.close();
    });
  }, []);

  // Someone already started this FAQ: watch it.
  useEffect(() => {
    if (initial && (initial.status === "queued" || initial.status === "running")) follow(initial.id);
    return () => source.current?.close();
  }, [initial, follow]);

  const ask = async (options: { regenerate?: boolean } = {}) => {
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/faq", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ paperId, language, ...options }),
      });
      const body = (await response.json()) as { faqId?: string; status?: FaqPanelStatus; position?: number | null; version?: number; error?: string };
      if (!response.ok || !body.faqId) {
        setError(body.error ?? `The server answered HTTP ${response.status}.`);
        if (status === "idle") setStatus("idle");
        return;
      }
      setFaqId(body.faqId);
      setFaqLanguage(language);
      setFaqVersion(body.version ?? version);
      setStatus(body.status ?? "queued");
      setPosition(body.position ?? null);
      follow(body.faqId);
    } catch {
      setError("The server could not be reached. Try again.");
    } finally {
      setPending(false);
    }
  };

  const older = faqId !== null && faqVersion < version && status === "done";
  const waiting = status === "queued" || status === "running";
  // Once the answers are here, asking again would only fetch them again: the button comes back
  // when another language is chosen.
  const answered = status === "done" && language === faqLanguage;

  if (!configured && !initial) {
    return (
      <section className="faq" aria-label="FAQ" style={{ marginTop: "1.5rem" }}>
        <h2>FAQ</h2>
        <p className="muted">
          FAQs are written by an LLM, and none is configured on this server. To turn them on, set <code>OPENAI_API_KEY</code> (and{" "}
          <code>OPENAI_BASE_URL</code> for any other OpenAI-compatible endpoint, <code>LLM_MODEL</code> for the model) and restart the app.
        </p>
      </section>
    );
  }

  return (
    <section className="faq" aria-label="FAQ" style={{ marginTop: "1.5rem" }}>
      <h2>FAQ</h2>
      <p className="faq-controls" style={{ display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" }}>
        <label>
          Language{" "}
          <select value={language} onChange={(e) => setLanguage(e.target.value)} disabled={waiting || pending}>
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.label}
              </option>
            ))}
          </select>
        </label>
        {answered ? null : canGenerate || status === "done" ? (
          <button type="button" onClick={() => void ask()} disabled={pending || waiting || !configured} aria-busy={pending || waiting}>
            {waiting ? "Writing the FAQ…" : "FAQ"}
          </button>
        ) : (
          <a href={`/sign-in?next=${encodeURIComponent(`/papers/${paperId}`)}`}>Sign in to generate the FAQ</a>
        )}
        {status === "queued" ? (
          <span className="faq-position muted" role="status">
            {position && position > 0 ? `Pending: ${position}` : "Pending…"}
          </span>
        ) : null}
        {status === "running" ? (
          <span className="faq-position muted" role="status">
            Writing…
          </span>
        ) : null}
      </p>
      {older ? (
        <p className="faq-older muted">
          {`Made for v${faqVersion}; `}
          {configured && canGenerate ? (
            <button type="button" onClick={() => void ask()} disabled={pending}>
              {`regenerate for v${version}`}
            </button>
          ) : (
            `the current version is v${version}.`
          )}
        </p>
      ) : null}
      {error ? (
        <p className="faq-error" role="alert">
          {error}{" "}
          {status === "failed" && configured && canGenerate ? (
            <button type="button" onClick={() => void ask()} disabled={pending}>
              Try again
            </button>
          ) : null}
        </p>
      ) : null}
      {questions.length > 0 && status !== "idle" ? (
        <dl className="faq-list" aria-live="polite" aria-busy={waiting}>
          {questions.map((q, i) => (
            <div key={i} className="faq-item" style={{ marginBottom: "1rem" }}>
              <dt style={{ fontWeight: 600 }}>{q}</dt>
              <dd style={{ marginLeft: 0 }}>
                <Answer text={answers[i] ?? ""} mounted={mounted} streaming={waiting} />
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      {status === "done" && sourceNote ? <p className="faq-source muted">{sourceNote}</p> : null}
      {status === "idle" ? (
        <p className="muted">{`${questionsCount} questions about this paper, answered by an LLM.`}</p>
      ) : null}
    </section>
  );
}
