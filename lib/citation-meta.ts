// The Highwire Press `citation_*` meta tags of a paper page, which Google Scholar's indexer and
// Zotero's connector ("Embedded Metadata") read to cite the page: title, one citation_author per
// author in arXiv's order, the date v1 was submitted (YYYY/MM/DD, as Scholar asks), the arXiv id and
// the PDF. Given to Next's Metadata API as `other` (an array value renders one tag per item, and
// React escapes every value, so a title holding quotes or <script> stays text).
import type { PaperDetail } from "./queries/papers";
import { submissionYear } from "./arxiv/ids";
import { slashDate } from "./slash-date";

type Cited = Pick<PaperDetail, "id" | "title" | "authors" | "publishedAt" | "doi" | "versions">;

/** `pageUrl`: this page's absolute address, for citation_abstract_html_url. */
export function citationMeta(paper: Cited, pageUrl: string): Record<string, string | string[]> {
  // publishedAt is v1's submission; a paper stored without it may still know v1's date. Failing
  // both (papers of arXiv's old RSS carry no dates), the year in the id: Scholar takes a year alone.
  const v1 = paper.publishedAt ?? paper.versions.find((v) => v.version === 1)?.submittedAt ?? null;
  const year = submissionYear(paper.id);
  return {
    citation_title: paper.title,
    citation_author: paper.authors,
    ...(v1 ? { citation_date: slashDate(v1), citation_online_date: slashDate(v1) } : year ? { citation_date: String(year) } : {}),
    citation_arxiv_id: paper.id,
    citation_pdf_url: `https://arxiv.org/pdf/${paper.id}`,
    citation_abstract_html_url: pageUrl,
    ...(paper.doi ? { citation_doi: paper.doi } : {}),
  };
}
