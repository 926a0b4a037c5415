// /papers/<arXiv id> (old-style ids too: /papers/hep-th/9711200): one paper with its versions and
// listings. A paper not stored yet is fetched through the crawl queue, never inside this request;
// the page says so and fills in when it arrives.
import type { Metadata } from "next";
import { cache } from "react";
import { formatArxivId, normalizeArxivId } from "@/lib/arxiv/ids";
import { readerRunFor, requestPaperFetch } from "@/lib/queries/crawl-runs";
import { getPaper } from "@/lib/queries/papers";
import { appQueue, enqueueCrawl } from "@/lib/queue";
import { AutoRefresh } from "../../components/auto-refresh";
import { CardActions } from "../../components/card-actions";
import { starredFor } from "../../components/starred-for";
import { readerTopics, topicCardsHtml } from "../../topics/listing";
import "../../topics/topics.css";
import { RetryButton } from "./retry-button";
import { FaqPanel, type FaqSnapshot } from "./faq";
import { RelatedPapers } from "./related-papers";
import { getCurrentUser } from "@/lib/auth";
import { env, publicUrl } from "@/lib/env";
import { faqSettings, llmConfigured } from "@/lib/faq/request";
import { findFaq, latestFaqFor, type FaqRecord } from "@/lib/queries/faqs";
import { citationMeta } from "@/lib/citation-meta";
import { StarNotesPanel } from "../../starred/star-notes-panel";
import { countPaperOpen } from "@/lib/popularity/page-open";

export const dynamic = "force-dynamic";

/** One read of the paper per request: the title for generateMetadata and the page share it. */
const paperById = cache(getPaper);

type Props = { params: Promise<{ id: string[] }> };

function parseId(segments: string[]): { id: string } | { error: string } {
  const raw = segments.map(decodeURIComponent).join("/");
  try {
    return { id: formatArxivId(normalizeArxivId(raw).id) };
  } catch {
    return { error: `"${raw.slice(0, 80)}" is not an arXiv id. Ids look like 2104.12255, 2104.12255v2 or hep-th/9711200.` };
  }
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const parsed = parseId((await params).id);
  if ("error" in parsed) return { title: "Not an arXiv id", robots: { index: false } };
  const paper = await paperById(parsed.id);
  if (!paper) return { title: `arXiv:${parsed.id}` };
  // Google Scholar and Zotero read these (lib/citation-meta.ts).
  return { title: paper.title, other: citationMeta(paper, `${publicUrl()}/papers/${paper.id}`) };
}

export default async function PaperPage({ params }: Props) {
  const parsed = parseId((await params).id);
  if ("error" in parsed) {
    return (
      <section className="empty-state" role="alert">
        <h1>Not an arXiv id</h1>
        <p>{parsed.error}</p>
      </section>
    );
  }
  const { id } = parsed;
  const paper = await paperById(id);
  if (!paper) {
    let run = await readerRunFor(id);
    if (!run || run.status === "succeeded") {
      // Stored runs that succeeded yet left no paper mean the paper was removed since: ask again.
      const requested = await requestPaperFetch(id);
      if (requested.created) await enqueueCrawl(appQueue(), requested.run.id, { priority: 1 });
      run = requested.run;
    }
    if (run.status === "failed") {
      return (
        <section className="empty-state" role="alert">
          <h1>{`arXiv:${id}`}</h1>
          <p>{`This paper could not be fetched from arXiv: ${run.error ?? "unknown error"}.`}</p>
          <RetryButton id={id} />
        </section>
      );
    }
    return (
      <section className="empty-state" role="status" aria-live="polite">
        <h1>{`arXiv:${id}`}</h1>
        <p>Fetching this paper from arXiv… It appears here as soon as it arrives (arXiv is asked at most once every 3 seconds).</p>
        <progress aria-label="Fetching" />
        <AutoRefresh seconds={2} />
      </section>
    );
  }
  // A signed-in reader's view counts towards the paper's popularity (written later, in a batch).
  await countPaperOpen(paper);
  // A stored FAQ shows at once: this version's (English), else the newest one made for an older version.
  const faqConfig = faqSettings();
  const [starred, topics, storedFaq] = await Promise.all([
    starredFor([paper.id]),
    getCurrentUser().then(readerTopics),
    Promise.all([findFaq(paper.id, paper.version, faqConfig.questionSet, "en", faqConfig.model), latestFaqFor(paper.id, "en")]).then(
      ([current, latest]): FaqRecord | null => current ?? latest,
    ),
  ]);
  const faqSnapshot: FaqSnapshot | null = storedFaq
    ? { id: storedFaq.id, version: storedFaq.version, language: storedFaq.language, status: storedFaq.status, questions: storedFaq.answers.map((a) => a.question), answers: storedFaq.answers.map((a) => (a.done || storedFaq.status !== "failed" ? a.answer : "")), error: storedFaq.error, sourceNote: storedFaq.sourceNote }
    : null;
  const canGenerateFaq = env().FAQ_OPEN || (await getCurrentUser()) !== null;
  return (
    <section aria-label={`arXiv:${paper.id}`} className="paper-page">
      <ol className="paper-list" id="papers" dangerouslySetInnerHTML={{ __html: asPageHeading(topicCardsHtml([paper], starred, topics, undefined)) }} />
      {/* The reader's labels and note when the paper is starred; links to its RIS and BibTeX files. */}
      <StarNotesPanel paperId={paper.id} title={paper.title} starred={starred?.has(paper.id) ?? false} />
      <FaqPanel paperId={paper.id} version={paper.version} questionsCount={faqConfig.questions.length} configured={llmConfigured()} canGenerate={canGenerateFaq} initial={faqSnapshot} />
      <div className="paper-facts">
        <h2>Versions</h2>
        <ul>
          {paper.versions.map((v) => (
            <li key={v.version}>
              <a href={`https://arxiv.org/abs/${paper.id}v${v.version}`}>{`v${v.version}`}</a>
              {v.submittedAt ? ` submitted ${v.submittedAt.toISOString().slice(0, 10)}` : ""}
              {` · first seen here ${v.firstSeenAt.toISOString().slice(0, 10)}`}
            </li>
          ))}
        </ul>
        {paper.listings.length ? (
          <>
            <h2>Announced</h2>
            <ul>
              {paper.listings.map((l) => {
                const day = l.date.toISOString().slice(0, 10);
                return (
                  <li key={`${l.category}-${day}`}>
                    <a href={`/list/${l.category}?date=${day}`}>{`${l.category} on ${day}`}</a>
                    {` (${l.announceType.replace("_", "-")})`}
                  </li>
                );
              })}
            </ul>
          </>
        ) : null}
      </div>
      <RelatedPapers paperId={paper.id} />
      <CardActions />
    </section>
  );
}

/** The paper's card is this page's subject: its title is the page's one h1 (a listing's cards use h2). */
function asPageHeading(cardHtml: string): string {
  return cardHtml.replace(/<h2 class="paper-title"([^>]*)>([\s\S]*?)<\/h2>/, '<h1 class="paper-title"$1>$2</h1>');
}
