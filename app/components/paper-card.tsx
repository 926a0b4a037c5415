// One paper in a list: title and abstract with math rendered, authors (long lists collapse),
// categories, dates, version, links, copy buttons and the star. All paper text is escaped.
import type { AnnounceType } from "@/lib/arxiv/types";
import { renderMathCached } from "@/lib/render/math";
import { CopyButtons } from "./copy-buttons";

export interface CardPaper {
  id: string;
  version: number;
  title: string;
  abstract: string;
  authors: string[];
  categories: string[];
  primaryCategory: string;
  publishedAt: Date | null;
  versionAt: Date | null;
  comments: string | null;
  journalRef: string | null;
  doi: string | null;
}

const AUTHORS_SHOWN = 40;
const TYPE_LABEL: Record<AnnounceType, string> = {
  new: "New",
  cross: "Cross-list",
  replace: "Replaced",
  "replace-cross": "Replaced cross-list",
};

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : undefined);

export function PaperCard({
  paper,
  announceType,
  starred,
  index,
}: {
  paper: CardPaper;
  announceType?: AnnounceType;
  /** undefined when nobody is signed in (the star then links to sign-in). */
  starred?: boolean;
  index?: number;
}) {
  const key = `${paper.id}v${paper.version}`;
  const absUrl = `https://arxiv.org/abs/${key}`;
  const shown = paper.authors.slice(0, AUTHORS_SHOWN);
  const hidden = paper.authors.slice(AUTHORS_SHOWN);
  const submitted = day(paper.publishedAt);
  const revised = day(paper.versionAt);
  return (
    <article className="paper-card" data-paper-id={paper.id} data-index={index} tabIndex={-1} aria-labelledby={`t-${key}`}>
      <header className="paper-head">
        <h2 className="paper-title" id={`t-${key}`}>
          <a href={`/papers/${paper.id}`} dangerouslySetInnerHTML={{ __html: renderMathCached(`${key}:t`, paper.title) }} />
        </h2>
        {/* star-slot: the star toggle goes here */}
      </header>
      <p className="paper-authors" data-field="authors">
        {shown.join(", ")}
        {hidden.length > 0 ? (
          <details className="more-authors">
            <summary>{`and ${hidden.length} more`}</summary>
            {hidden.join(", ")}
          </details>
        ) : null}
      </p>
      <p className="paper-meta">
        {announceType ? <span className={`badge badge-${announceType}`}>{TYPE_LABEL[announceType]}</span> : null}
        {paper.categories.map((c) => (
          <a key={c} href={`/list/${c}`} className={c === paper.primaryCategory ? "cat cat-primary" : "cat"}>
            {c}
          </a>
        ))}
        <span>{`arXiv:${key}`}</span>
        {submitted ? <span>{`submitted ${submitted}`}</span> : null}
        {revised && revised !== submitted ? <span>{`v${paper.version} ${revised}`}</span> : null}
      </p>
      <details className="paper-abstract" open>
        <summary>Abstract</summary>
        <p data-field="abstract" dangerouslySetInnerHTML={{ __html: renderMathCached(`${key}:a`, paper.abstract) }} />
      </details>
      {paper.comments || paper.journalRef ? (
        <p className="paper-comments">{[paper.comments, paper.journalRef].filter(Boolean).join(" · ")}</p>
      ) : null}
      <nav className="paper-links" aria-label={`Links for arXiv:${key}`}>
        <a href={absUrl} rel="noopener">arXiv</a>
        <a href={`https://arxiv.org/pdf/${key}`} rel="noopener">PDF</a>
        {paper.doi ? <a href={`https://doi.org/${encodeURI(paper.doi)}`} rel="noopener">DOI</a> : null}
        <CopyButtons paper={{ id: paper.id, version: paper.version, title: paper.title, abstract: paper.abstract, authors: paper.authors, year: submitted?.slice(0, 4), primaryCategory: paper.primaryCategory, doi: paper.doi }} />
      </nav>
    </article>
  );
}
