// /starred: the reader's starred papers, most recently starred first, a page at a time, each with the
// reader's labels and private note (edited in place: StarNotes); `?label=to%20read` lists the stars
// filed under one label, and the reader's labels with their counts lead to each. Exports in BibTeX,
// RIS and CSV, of all stars or of the label shown. Signed out: to sign-in, and back here afterwards.
// A cursor that is not one this page handed out (lib/query-params.ts starredQuery) gets a 400 page
// saying so; a label the reader does not have is an empty list that says so.
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/auth";
import { countStarred, listStarLabels, listStarred, type LabelCount } from "@/lib/queries/stars";
import { readQuery, starredQuery } from "@/lib/query-params";
import { spellingOf } from "@/lib/star-labels";
import { cardHtml } from "@/lib/render/card-html";
import { BadQuery } from "../components/bad-query";
import { CardActions } from "../components/card-actions";
import { labelHref } from "./label-href";
import { LabelOptions } from "./label-options";
import { StarNotes } from "./star-notes";

export const metadata: Metadata = { title: "Starred" };
export const dynamic = "force-dynamic";

const PAGE_SIZE = 25;
const LABEL_OPTIONS_ID = "star-label-options";
const FORMATS = [
  ["bibtex", "BibTeX"],
  ["ris", "RIS"],
  ["csv", "CSV"],
] as const;

type Search = { cursor?: string | string[]; label?: string | string[] };

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** This page's address with a label and a cursor. */
function starredHref(label: string | undefined, cursor?: string): string {
  const query = new URLSearchParams();
  if (label) query.set("label", label);
  if (cursor) query.set("cursor", cursor);
  const text = query.toString().replace(/\+/g, "%20");
  return text ? `/starred?${text}` : "/starred";
}

function ExportLinks({ label }: { label?: string }) {
  const base = label ? `/starred/export?label=${encodeURIComponent(label)}&format=` : "/starred/export?format=";
  return (
    <p className="export-links">
      {label ? `Download “${label}” as` : "Download all as"}
      {FORMATS.map(([format, name]) => (
        <a key={format} href={`${base}${format}`} download>
          {name}
        </a>
      ))}
    </p>
  );
}

function LabelFilter({ labels, current, total }: { labels: LabelCount[]; current?: string; total: number }) {
  if (labels.length === 0) return null;
  return (
    <nav className="label-filter" aria-label="Your labels">
      <Link href="/starred" className="label-chip" aria-current={current === undefined ? "page" : undefined}>
        All <span className="label-count">{total.toLocaleString("en")}</span>
      </Link>
      {labels.map((l) => (
        <Link key={l.label} href={labelHref(l.label)} className="label-chip" aria-current={current === l.label ? "page" : undefined}>
          {l.label} <span className="label-count">{l.count.toLocaleString("en")}</span>
        </Link>
      ))}
    </nav>
  );
}

/** A starred card (cached HTML, lib/render/card-html.ts): the list item here also holds StarNotes. */
const starredCardHtml = (paper: Parameters<typeof cardHtml>[0]) => cardHtml(paper, { signedIn: true, starred: true });

export default async function StarredPage({ searchParams }: { searchParams: Promise<Search> }) {
  const raw = await searchParams;
  const cursor = first(raw.cursor);
  const rawLabel = first(raw.label);
  const user = await getCurrentUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(starredHref(rawLabel, cursor))}`);
  const read = readQuery(starredQuery, { cursor, label: rawLabel });
  if (!read.ok) return <BadQuery problem={read.problem} back={{ href: "/starred", label: "Your newest stars" }} />;
  const wanted = read.data.label;

  const [labels, all] = await Promise.all([listStarLabels(user.id), countStarred(user.id)]);
  // The label as the reader spells it (any case finds it); one they do not have lists nothing.
  const label = wanted === undefined ? undefined : spellingOf(wanted, labels.map((l) => l.label));

  if (all === 0) {
    return (
      <section className="empty-state" aria-labelledby="starred-title">
        <h1 id="starred-title">Starred papers</h1>
        <p>You have not starred any papers yet.</p>
        <p>
          Press the <span aria-hidden="true">☆</span> star next to a paper&apos;s title (or <kbd>s</kbd> on the selected
          paper) to keep it here. Stars are private to your account, can carry your own labels (&ldquo;to read&rdquo;,
          &ldquo;cite in thesis&rdquo;) and a note, and can be exported as BibTeX, RIS or CSV.
        </p>
        <p>
          <Link href="/">Browse today&apos;s papers</Link>
        </p>
      </section>
    );
  }

  if (wanted !== undefined && label === undefined) {
    return (
      <section aria-labelledby="starred-title">
        <div className="starred-head">
          <h1 id="starred-title">Starred papers</h1>
          <ExportLinks />
        </div>
        <LabelFilter labels={labels} total={all} current={wanted} />
        <div className="empty-state">
          <p>{`None of your stars is labelled “${wanted}”.`}</p>
          <p>
            {labels.length
              ? "Pick one of your labels above, or give a starred paper this label with its “Edit labels and note” button."
              : "Give a starred paper a label with its “Add labels or a note” button, then find it here."}{" "}
            <Link href="/starred">All your starred papers</Link>
          </p>
        </div>
      </section>
    );
  }

  const total = label === undefined ? all : (labels.find((l) => l.label === label)?.count ?? 0);
  const page = await listStarred(user.id, { limit: PAGE_SIZE, cursor, label });

  return (
    <section aria-labelledby="starred-title">
      <div className="starred-head">
        <h1 id="starred-title">{label === undefined ? "Starred papers" : `Starred papers labelled “${label}”`}</h1>
        <div className="export-groups">
          <ExportLinks />
          {label !== undefined ? <ExportLinks label={label} /> : null}
        </div>
      </div>
      <LabelFilter labels={labels} total={all} current={label} />
      <p className="muted">
        {cursor
          ? `Older stars (${page.papers.length} on this page, ${total.toLocaleString("en")} in all).`
          : `${total.toLocaleString("en")} starred ${total === 1 ? "paper" : "papers"}${label === undefined ? "" : ` labelled “${label}”`}, most recently starred first.`}
      </p>
      <LabelOptions id={LABEL_OPTIONS_ID} labels={labels.map((l) => l.label)} />
      {page.papers.length === 0 ? (
        <p>
          No more starred papers. <Link href={starredHref(label)}>Back to the newest</Link>
        </p>
      ) : (
        <ol className="paper-list" id="papers">
          {page.papers.map((p) => (
            <li key={p.id} className="starred-item">
              <div className="starred-card" dangerouslySetInnerHTML={{ __html: starredCardHtml(p) }} />
              <StarNotes paperId={p.id} title={p.title} labels={p.labels} note={p.note} optionsId={LABEL_OPTIONS_ID} />
            </li>
          ))}
        </ol>
      )}
      {/* Unstarring here takes the paper off this page. */}
      <CardActions refreshAfterStar />
      <nav className="pager" aria-label="Pages of starred papers">
        {cursor ? <Link href={starredHref(label)}>Newest</Link> : <span />}
        {page.nextCursor ? (
          <Link href={starredHref(label, page.nextCursor)} rel="next">
            More
          </Link>
        ) : null}
      </nav>
    </section>
  );
}
