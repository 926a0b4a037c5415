// export.arxiv.org API (Atom) responses → ParsedFeed: query by id and search pages, with paging
// from opensearch. Pure: a string in, plain data out.

import { normalizeArxivId } from "./ids";
import { cleanText, texToUnicode } from "./text";
import { readXmlDocument, xmlChild, xmlChildren, xmlChildText, type XmlElement } from "./xml";
import { FeedError, type ParsedEntry, type ParsedFeed, type SkippedItem } from "./types";

const WHAT = "arXiv API response";

/**
 * Parses an API response. Throws FeedError for malformed XML, a document that is not an Atom
 * feed, and the API's error feed (one entry titled "Error" whose summary is the message); an entry
 * that cannot be read goes to `skipped` while the others are returned.
 */
export function parseAtom(xml: string): ParsedFeed {
  const root = readXmlDocument(xml, WHAT);
  if (root.name !== "feed") {
    throw new FeedError(`${WHAT}: expected an Atom <feed> as the root element, got <${root.qname}>`);
  }
  const entries: ParsedEntry[] = [];
  const skipped: SkippedItem[] = [];
  const items = xmlChildren(root, "entry");
  for (const entry of items) {
    // The API reports bad queries (HTTP 400) as a feed whose entry id points at /api/errors.
    const rawId = xmlChildText(entry, "id") ?? "";
    if (/\/api\/errors/.test(rawId) || (xmlChildText(entry, "title") === "Error" && !/\/abs\//.test(rawId))) {
      const message = xmlChildText(entry, "summary") ?? rawId;
      throw new FeedError(`arXiv API error: ${message}`);
    }
  }
  items.forEach((entry, index) => {
    const r = parseEntry(entry);
    if ("reason" in r) skipped.push({ index, ...r });
    else entries.push(r);
  });
  const totalResults = intText(xmlChildText(root, "totalResults"));
  const startIndex = intText(xmlChildText(root, "startIndex"));
  return {
    format: "atom",
    entries,
    skipped,
    ...(totalResults !== undefined && { totalResults }),
    ...(startIndex !== undefined && { startIndex }),
  };
}

function intText(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d+$/.test(s)) return undefined;
  return Number(s);
}

function dateText(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function parseEntry(entry: XmlElement): ParsedEntry | Omit<SkippedItem, "index"> {
  const rawId = xmlChildText(entry, "id");
  if (!rawId) return { reason: "no <id>" };
  let parts: { id: string; version?: number };
  try {
    parts = normalizeArxivId(rawId);
  } catch {
    return { reason: `<id> is not an arXiv abstract URL: ${rawId}` };
  }
  const { id } = parts;
  const title = xmlChildText(entry, "title");
  if (!title) return { id, reason: "no title" };

  // arxiv:primary_category first, then every <category term> in feed order, without repeats.
  const seen = new Set<string>();
  const primary = xmlChild(entry, "primary_category")?.attrs.term?.trim();
  if (primary) seen.add(primary);
  for (const c of xmlChildren(entry, "category")) {
    const term = c.attrs.term?.trim();
    if (term) seen.add(term);
  }
  const categories = [...seen];
  const primaryCategory = categories[0];
  if (primaryCategory === undefined) return { id, reason: "no category" };

  const authors: string[] = [];
  for (const a of xmlChildren(entry, "author")) {
    const name = xmlChildText(a, "name");
    if (name) authors.push(cleanText(texToUnicode(name)));
  }
  const comments = xmlChildText(entry, "comment");
  const journalRef = xmlChildText(entry, "journal_ref");
  const doi = xmlChildText(entry, "doi");
  const publishedAt = dateText(xmlChildText(entry, "published"));
  const updatedAt = dateText(xmlChildText(entry, "updated"));
  return {
    id,
    version: parts.version ?? 1,
    title,
    abstract: xmlChildText(entry, "summary") ?? "",
    authors,
    categories,
    primaryCategory,
    ...(comments !== undefined && { comments }),
    ...(journalRef !== undefined && { journalRef }),
    ...(doi !== undefined && { doi }),
    ...(publishedAt !== undefined && { publishedAt }),
    ...(updatedAt !== undefined && { updatedAt }),
  };
}
