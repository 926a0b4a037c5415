"use client";
// The interactive parts of the admin pages: buttons and forms that call the admin server actions and
// show their answer, the re-crawl form with live progress (polls /admin/api/crawl-runs), and the
// embedding panel with its progress bar (polls /admin/api/embed-run).
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, useTransition, type FormEvent } from "react";
import type { ActionResult } from "@/lib/admin/guard";
import type { EmbedRunView } from "@/lib/admin/embed";
import type { RunView } from "@/lib/admin/run-view";

type Action<A> = (args: A) => Promise<ActionResult<unknown>>;

function Answer({ result }: { result: ActionResult<unknown> | null }) {
  if (!result) return null;
  return result.ok ? (
    <span role="status" className="admin-ok">{result.message}</span>
  ) : (
    <span role="alert" className="form-error">{result.error}</span>
  );
}

/** The section links, the current one marked for screen readers and styles. */
export function AdminNav({ sections }: { sections: [string, string][] }) {
  const pathname = usePathname();
  return (
    <nav aria-label="Administration" className="admin-nav">
      {sections.map(([href, label]) => (
        <Link key={href} href={href} aria-current={pathname === href ? "page" : undefined}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

const NOTICE_EVENT = "admin:notice";

/**
 * The page-wide answer line: a row's button may vanish with its row once the page refreshes (a
 * retried job is no longer failed), so its answer is also shown here.
 */
export function AdminNotices() {
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  useEffect(() => {
    const show = (event: Event) => setResult((event as CustomEvent<ActionResult<unknown>>).detail);
    window.addEventListener(NOTICE_EVENT, show);
    return () => window.removeEventListener(NOTICE_EVENT, show);
  }, []);
  return (
    <div className="admin-notice" aria-live="polite">
      <Answer result={result} />
    </div>
  );
}

/** A button that runs one admin action, says what happened, and refreshes the page's data. */
export function ActionButton<A>({
  action, args, label, confirm, className, title,
}: { action: Action<A>; args: A; label: string; confirm?: string; className?: string; title?: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  return (
    <span className="action-button">
      <button
        type="button"
        className={className}
        title={title}
        disabled={pending}
        onClick={() => {
          if (confirm && !window.confirm(confirm)) return;
          start(async () => {
            const answer = await action(args);
            setResult(answer);
            window.dispatchEvent(new CustomEvent(NOTICE_EVENT, { detail: answer }));
            if (answer.ok) router.refresh();
          });
        }}
      >
        {pending ? `${label}…` : label}
      </button>
      {/* Success shows in the page-wide line; a refusal also stays next to the button it concerns. */}
      {result && !result.ok ? <Answer result={result} /> : null}
    </span>
  );
}

/** A one-field form (followed categories, schedule) saved through an action. */
export function SettingForm({
  action, field, label, initial, hint, multiline,
}: { action: Action<Record<string, string>>; field: string; label: string; initial: string; hint: string; multiline?: boolean }) {
  const router = useRouter();
  const [value, setValue] = useState(initial);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const id = `setting-${field}`;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    start(async () => {
      const answer = await action({ [field]: value });
      setResult(answer);
      if (answer.ok) router.refresh();
    });
  };
  return (
    <form className="admin-form" onSubmit={submit}>
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea id={id} value={value} rows={2} onChange={(e) => setValue(e.target.value)} />
      ) : (
        <input id={id} value={value} onChange={(e) => setValue(e.target.value)} />
      )}
      <span className="field-hint">{hint}</span>
      <div>
        <button type="submit" className="primary-button" disabled={pending}>{pending ? "Saving…" : "Save"}</button>{" "}
        <Answer result={result} />
      </div>
    </form>
  );
}

const STATUS_TEXT: Record<RunView["status"], string> = {
  queued: "queued",
  running: "running",
  succeeded: "done",
  failed: "failed",
  no_announcement: "no announcement",
};

function runLabel(run: RunView): string {
  const dates = run.dateFrom ? (run.dateFrom === run.dateTo || !run.dateTo ? run.dateFrom : `${run.dateFrom} – ${run.dateTo}`) : "latest";
  return `${run.categories.join(", ") || run.paperIds.join(", ")} · ${dates} · ${run.source.toUpperCase()}`;
}

/** One run's live line: status, progress bar, counts, what changed, the error. */
export function RunProgress({ run }: { run: RunView }) {
  const percent = run.status === "succeeded" || run.status === "no_announcement" ? 100 : Math.max(0, Math.min(100, run.counts.percent ?? 0));
  return (
    <li className={`run-progress run-${run.status}`} data-run-id={run.id} data-status={run.status}>
      <div className="run-head">
        <strong>{runLabel(run)}</strong>
        <span className={`status-pill status-${run.status}`}>{STATUS_TEXT[run.status]}</span>
      </div>
      <progress max={100} value={percent} aria-label={`Progress of ${runLabel(run)}`} />
      <div className="run-counts">
        <span className="run-percent">{percent} %</span>
        <span>fetched {run.counts.fetched}</span>
        <span>stored {run.counts.stored}</span>
        <span>skipped {run.counts.skipped}</span>
        <span>failed {run.counts.failed}</span>
        {run.finished ? (
          <span className="run-changes">
            {run.newPapers} new papers, {run.newVersions} new versions
          </span>
        ) : null}
      </div>
      {run.counts.note ? <p className="muted">{run.counts.note}</p> : null}
      {run.error ? (
        <p className={run.status === "failed" ? "crawl-error" : "muted"} role={run.status === "failed" ? "alert" : undefined}>
          {run.status === "failed" ? "Failed: " : ""}
          {run.error}
          {run.status === "failed" ? <> — <a href="/admin/queues">retry it from the queue page</a></> : null}
        </p>
      ) : null}
    </li>
  );
}

/** Polls the runs until every one is done or failed; no page reload. */
export function LiveRuns({ initial, emptyText }: { initial: RunView[]; emptyText: string }) {
  const [runs, setRuns] = useState<RunView[]>(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const runsRef = useRef(runs);
  runsRef.current = runs;

  useEffect(() => setRuns((current) => mergeRuns(initial, current)), [initial]);

  const open = runs.some((r) => !r.finished);
  const poll = useCallback(async () => {
    const ids = runsRef.current.filter((r) => !r.finished).map((r) => r.id);
    if (ids.length === 0) return;
    try {
      const response = await fetch(`/admin/api/crawl-runs?ids=${ids.join(",")}`, { cache: "no-store" });
      const body = (await response.json()) as { runs?: RunView[]; error?: string };
      if (!response.ok || !body.runs) throw new Error(body.error ?? `the server answered ${response.status}`);
      setProblem(null);
      const fresh = new Map(body.runs.map((r) => [r.id, r]));
      setRuns((current) => current.map((r) => fresh.get(r.id) ?? r));
    } catch (error) {
      setProblem(`Progress could not be read (${(error as Error).message}); trying again.`);
    }
  }, []);

  useEffect(() => {
    if (!open) return;
    const timer = setInterval(() => void poll(), 1_000);
    return () => clearInterval(timer);
  }, [open, poll]);

  if (runs.length === 0) return <p className="empty-state">{emptyText}</p>;
  return (
    <>
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
      <ul className="run-list" aria-live="polite">
        {runs.map((run) => (
          <RunProgress key={run.id} run={run} />
        ))}
      </ul>
    </>
  );
}

function mergeRuns(incoming: RunView[], current: RunView[]): RunView[] {
  const known = new Map(current.map((r) => [r.id, r]));
  const merged = incoming.map((r) => {
    const mine = known.get(r.id);
    // Keep the fresher of the two (the poller may be ahead of a server render).
    return mine && mine.finished && !r.finished ? mine : r;
  });
  for (const r of current) if (!merged.some((m) => m.id === r.id)) merged.push(r);
  return merged.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export interface RecrawlArgs {
  categories: string[];
  source: "rss" | "api";
  /** API only: RSS re-crawls the latest announcement, whatever its day. */
  from?: string;
  to?: string;
}

/**
 * The re-crawl form: categories (followed ones as checkboxes, any other typed), source, and for the
 * API source the days (From required, To optional); RSS takes no date, so its date fields are hidden.
 */
export function RecrawlForm({
  action, followed, today, maxDays, perMinute,
}: { action: Action<RecrawlArgs>; followed: string[]; today: string; maxDays: number; perMinute: number }) {
  const router = useRouter();
  const [picked, setPicked] = useState<string[]>([]);
  const [other, setOther] = useState("");
  const [from, setFrom] = useState(today);
  const [to, setTo] = useState("");
  const [source, setSource] = useState<"rss" | "api">("api");
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const categories = [...picked, ...other.split(/[\s,]+/).map((c) => c.trim()).filter(Boolean)];
    start(async () => {
      const answer = await action(source === "api" ? { categories, source, from, to } : { categories, source });
      setResult(answer);
      if (answer.ok) router.refresh();
    });
  };

  return (
    <form className="admin-form recrawl-form" onSubmit={submit} aria-label="Re-crawl">
      <fieldset>
        <legend>Categories</legend>
        <div className="check-row">
          {followed.map((c) => (
            <label key={c} className="check">
              <input
                type="checkbox"
                name="category"
                value={c}
                checked={picked.includes(c)}
                onChange={(e) => setPicked((p) => (e.target.checked ? [...p, c] : p.filter((x) => x !== c)))}
              />
              {c}
            </label>
          ))}
        </div>
        <label htmlFor="recrawl-other">Other categories</label>
        <input id="recrawl-other" value={other} placeholder="e.g. math.NA, hep-th" onChange={(e) => setOther(e.target.value)} />
      </fieldset>
      <fieldset className="check-row">
        <legend>Source</legend>
        <label className="check">
          <input type="radio" name="source" value="rss" checked={source === "rss"} onChange={() => setSource("rss")} />
          RSS (the latest announcement)
        </label>
        <label className="check">
          <input type="radio" name="source" value="api" checked={source === "api"} onChange={() => setSource("api")} />
          API (any past days)
        </label>
      </fieldset>
      {/* RSS holds only the latest announcement, whatever its day: no date to give (disabled fields are not required, and the action gets none). */}
      <div className="date-row" hidden={source !== "api"}>
        <label>
          From
          <input type="date" aria-label="From" value={from} max={today} onChange={(e) => setFrom(e.target.value)} required disabled={source !== "api"} />
        </label>
        <label>
          {/* One grid row for the words, as "From" has, so both fields line up. */}
          <span>
            To <span className="muted">(optional)</span>
          </span>
          <input type="date" aria-label="To" value={to} max={today} onChange={(e) => setTo(e.target.value)} disabled={source !== "api"} />
        </label>
      </div>
      {source === "rss" ? <p className="field-hint">RSS re-crawls whatever day arXiv announced last; the run shows that day once it is read.</p> : null}
      <p className="field-hint">
        At most {maxDays} days and {perMinute} re-crawls a minute. Re-crawling a stored day is safe: it reports the new papers
        and versions it found.
      </p>
      <div>
        <button type="submit" className="primary-button" disabled={pending}>{pending ? "Queuing…" : "Re-crawl"}</button>{" "}
        <Answer result={result} />
      </div>
    </form>
  );
}

const EMBED_STATE_TEXT: Record<EmbedRunView["state"], string> = {
  queued: "queued",
  running: "running",
  retrying: "retrying",
  done: "done",
  skipped: "skipped",
  failed: "failed",
};
const EMBED_PILL: Record<EmbedRunView["state"], string> = {
  queued: "status-queued",
  running: "status-running",
  retrying: "status-running",
  done: "status-succeeded",
  skipped: "status-failed",
  failed: "status-failed",
};

/**
 * "Embed missing" and "Re-embed everything", and the run's live progress bar: polls
 * /admin/api/embed-run every second until the run is done, skipped or failed; no page reload.
 */
export function EmbedPanel({ action, initial }: { action: Action<{ scope: "missing" | "all" }>; initial: EmbedRunView | null }) {
  const router = useRouter();
  const [run, setRun] = useState<EmbedRunView | null>(initial);
  const [pending, start] = useTransition();
  const [result, setResult] = useState<ActionResult<unknown> | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  // A server render (after a refusal, say) may know of a newer run than this panel.
  useEffect(() => setRun((current) => (initial && (!current || initial.jobId !== current.jobId || !initial.finished) ? initial : current)), [initial]);

  const jobId = run && !run.finished ? run.jobId : null;
  useEffect(() => {
    if (!jobId) return;
    let stopped = false;
    const poll = async () => {
      try {
        const response = await fetch(`/admin/api/embed-run?id=${encodeURIComponent(jobId)}`, { cache: "no-store" });
        const body = (await response.json()) as { run?: EmbedRunView; error?: string };
        if (!response.ok || !body.run) throw new Error(body.error ?? `the server answered ${response.status}`);
        if (stopped) return;
        setProblem(null);
        setRun(body.run);
      } catch (error) {
        if (!stopped) setProblem(`Progress could not be read (${(error as Error).message}); trying again.`);
      }
    };
    const timer = setInterval(() => void poll(), 1_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [jobId]);

  const begin = (scope: "missing" | "all") => {
    if (scope === "all" && !window.confirm("Re-embed every paper? Search and related papers keep using the current vectors until each is replaced.")) return;
    start(async () => {
      const answer = await action({ scope });
      setResult(answer);
      if (answer.ok) {
        const started = (answer.data as { run?: EmbedRunView } | undefined)?.run;
        if (started) setRun(started);
      }
      router.refresh();
    });
  };

  const open = Boolean(run && !run.finished);
  return (
    <section className="admin-section embed-panel" aria-label="Embeddings">
      <div>
        <button type="button" className="primary-button" disabled={pending || open} onClick={() => begin("missing")}>
          Embed missing
        </button>{" "}
        <button type="button" disabled={pending || open} onClick={() => begin("all")}>
          Re-embed everything
        </button>{" "}
        <Answer result={result} />
      </div>
      <p className="field-hint">
        “Embed missing” embeds the papers without a vector for their latest version and the current model; “Re-embed
        everything” replaces every vector (after changing the model). The embed worker does the work; one run at a time.
      </p>
      {problem ? <p role="alert" className="form-error">{problem}</p> : null}
      {run ? (
        <div className={`run-progress embed-run embed-${run.state}`} data-job-id={run.jobId} data-state={run.state} aria-live="polite">
          <div className="run-head">
            <strong>{run.scope === "all" ? "Re-embed everything" : "Embed missing"} · started {run.createdAt.slice(0, 16).replace("T", " ")} UTC</strong>
            <span className={`status-pill ${EMBED_PILL[run.state]}`}>{EMBED_STATE_TEXT[run.state]}</span>
          </div>
          <progress max={100} value={run.percent} aria-label="Embedding progress" />
          <div className="run-counts">
            <span className="run-percent">{run.percent} %</span>
            <span className="embed-count">
              {run.done.toLocaleString("en")} of {run.total.toLocaleString("en")} papers embedded
            </span>
          </div>
          {run.message ? (
            <p className={run.state === "failed" ? "crawl-error" : "muted"} role={run.state === "failed" ? "alert" : undefined}>
              {run.state === "failed" ? "Failed: " : ""}
              {run.message}
            </p>
          ) : null}
        </div>
      ) : (
        <p className="empty-state">No embedding run has been started from here yet.</p>
      )}
    </section>
  );
}
