// arXiv daily listing feeds → ParsedFeed: the RSS 2.0 format (rss.arxiv.org, since Feb 2024) and
// the legacy RDF 1.0 format used before it. Pure: a string in, plain data out.

import { normalizeArxivId } from "./ids";
import { cleanText, htmlToText, splitAuthors } from "./text";
import { readXmlDocument, xmlChild, xmlChildren, xmlChildText, type XmlElement } from "./xml";
import { FeedError, type AnnounceType, type ParsedEntry, type ParsedFeed, type SkippedItem } from "./types";

const WHAT = "arXiv RSS feed";
const ANNOUNCE_TYPES: ReadonlySet<string> = new Set<AnnounceType>(["new", "cross", "replace", "replace-cross"]);
const MONTHS: Record<string, string> = {
  jan: "01",
  feb: "02",
  mar: "03",
  apr: "04",
  may: "05",
  jun: "06",
  jul: "07",
  aug: "08",
  sep: "09",
  oct: "10",
  nov: "11",
  dec: "12",
};

/** An item that cannot become an entry; carries the id when it was readable. */
class SkipItem extends Error {
  constructor(
    reason: string,
    readonly id?: string,
  ) {
    super(reason);
  }
}

/**
 * Parses a daily listing feed in either arXiv format. Throws FeedError for malformed XML, a
 * document that is not a feed, and arXiv's error feed (unknown archive); a bad item goes to
 * `skipped` while the others are returned.
 */
export function parseRss(xml: string): ParsedFeed {
  const root = readXmlDocument(xml, WHAT);
  if (root.name === "rss") return parseRss2(root);
  if (root.name === "RDF") return parseRdf(root);
  throw new FeedError(`${WHAT}: expected <rss> or <rdf:RDF> as the root element, got <${root.qname}>`);
}

/** "Mon, 28 Apr 2025 00:00:00 -0400" → "2025-04-28": the day as arXiv wrote it, in its own zone. */
function rfc822Day(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const m = /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})/.exec(s);
  const month = m ? MONTHS[m[2]!.toLowerCase()] : undefined;
  return m && month ? `${m[3]}-${month}-${m[1]!.padStart(2, "0")}` : undefined;
}

/** Categories a feed is for: from its link (rss/cs.AI+cs.LG), else its title ("cs updates on ..."). */
function feedCategoriesOf(channel: XmlElement): string[] | undefined {
  for (const link of xmlChildren(channel, "link")) {
    const m = /\/rss\/([^/?#\s]+)/.exec(cleanText(link.text));
    if (m) return m[1]!.split("+").filter((c) => c !== "");
  }
  const title = xmlChildText(channel, "title");
  const t = title ? /^(.+?)\s+updates on arXiv\.org$/i.exec(title) : null;
  return t ? t[1]!.split(/[\s,+]+/).filter((c) => c !== "") : undefined;
}

function collect(items: XmlElement[], parse: (item: XmlElement) => ParsedEntry): Pick<ParsedFeed, "entries" | "skipped"> {
  const entries: ParsedEntry[] = [];
  const skipped: SkippedItem[] = [];
  items.forEach((item, index) => {
    try {
      entries.push(parse(item));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      skipped.push(err instanceof SkipItem && err.id !== undefined ? { index, id: err.id, reason } : { index, reason });
    }
  });
  return { entries, skipped };
}

/** The first candidate that is a valid arXiv id (with its version when it names one). */
function firstId(candidates: (string | undefined)[]): { id: string; version?: number } | undefined {
  for (const c of candidates) {
    if (!c) continue;
    try {
      return normalizeArxivId(c);
    } catch {
      // try the next place the id may be written
    }
  }
  return undefined;
}

function uniqueCategories(el: XmlElement): string[] {
  const seen = new Set<string>();
  for (const c of xmlChildren(el, "category")) {
    const t = cleanText(c.text);
    if (t !== "") seen.add(t);
  }
  return [...seen];
}

// ---------------------------------------------------------------------------------------------
// RSS 2.0 (current)

// "arXiv:2504.17830v1 Announce Type: new \nAbstract: ..." at the start of every description.
const DESCRIPTION_HEAD_RE = /^\s*arXiv:(\S*)\s+Announce Type:\s*([A-Za-z-]+)\s*(?:Abstract:\s*)?/;

function parseRss2(root: XmlElement): ParsedFeed {
  const channel = xmlChild(root, "channel");
  if (!channel) throw new FeedError(`${WHAT}: <rss> has no <channel>`);
  const items = xmlChildren(channel, "item");
  const title = xmlChildText(channel, "title") ?? "";
  // An unknown archive still gets HTTP 200 and a well-formed feed: no items, the title says
  // "Feed error for query", the description holds arXiv's message.
  if (items.length === 0 && /^feed error/i.test(title)) {
    throw new FeedError(`arXiv RSS feed error: ${xmlChildText(channel, "description") ?? title}`);
  }
  const announcedOn = rfc822Day(xmlChildText(channel, "pubDate") ?? xmlChildText(channel, "lastBuildDate"));
  const feedCategories = feedCategoriesOf(channel);
  return {
    format: "rss",
    ...(announcedOn !== undefined && { announcedOn }),
    ...(feedCategories !== undefined && { feedCategories }),
    ...collect(items, parseRss2Item),
  };
}

function parseRss2Item(item: XmlElement): ParsedEntry {
  const description = xmlChild(item, "description")?.text ?? "";
  const head = DESCRIPTION_HEAD_RE.exec(description);
  const guid = xmlChildText(item, "guid");
  const link = xmlChildText(item, "link");
  const parts = firstId([head?.[1], guid, link]);
  if (!parts) throw new SkipItem("no arXiv id in the description, guid or link");
  const { id } = parts;

  const type = xmlChildText(item, "announce_type") ?? head?.[2];
  if (!type) throw new SkipItem("no announce type", id);
  if (!ANNOUNCE_TYPES.has(type)) throw new SkipItem(`unknown announce type "${type}"`, id);

  const title = xmlChildText(item, "title");
  if (!title) throw new SkipItem("no title", id);
  const categories = uniqueCategories(item);
  const primaryCategory = categories[0];
  if (primaryCategory === undefined) throw new SkipItem("no category", id);

  const creator = xmlChild(item, "creator")?.text;
  const doi = xmlChildText(item, "DOI");
  const journalRef = xmlChildText(item, "journal_reference");
  return {
    id,
    version: parts.version ?? 1,
    announceType: type as AnnounceType,
    title,
    abstract: cleanText(head ? description.slice(head[0].length) : description),
    authors: creator ? splitAuthors(creator) : [],
    categories,
    primaryCategory,
    ...(journalRef !== undefined && { journalRef }),
    ...(doi !== undefined && { doi }),
  };
}

// ---------------------------------------------------------------------------------------------
// RDF 1.0 (legacy, before 2024)
//
// The legacy format has no announce type. It is inferred from the title suffix
// "(arXiv:ID vN [primary-category] FLAG)":
//   - FLAG "UPDATED" → a replacement: "replace", or "replace-cross" when the primary category is
//     outside the feed's categories;
//   - FLAG "CROSS LISTED", or a primary category outside the feed's categories → "cross";
//   - otherwise → "new".
// "Outside" means neither equal to a feed category nor inside it (cs.LG is inside the cs feed).
// The only category given is the primary one, so `categories` holds just that.

const RDF_TITLE_RE = /^([\s\S]*?)\.?\s*\(arXiv:(\S+)\s+\[([^\]\s]+)\]\s*([A-Z][A-Z ]*)?\)\s*$/;

function parseRdf(root: XmlElement): ParsedFeed {
  const channel = xmlChild(root, "channel");
  if (!channel) throw new FeedError(`${WHAT}: <rdf:RDF> has no <channel>`);
  // Unlike RSS 2.0, RDF items are siblings of the channel.
  const items = xmlChildren(root, "item");
  const date = xmlChildText(channel, "date");
  const announcedOn = date && /^\d{4}-\d{2}-\d{2}/.test(date) ? date.slice(0, 10) : undefined;
  const feedCategories = feedCategoriesOf(channel);
  return {
    format: "rdf",
    ...(announcedOn !== undefined && { announcedOn }),
    ...(feedCategories !== undefined && { feedCategories }),
    ...collect(items, (item) => parseRdfItem(item, feedCategories ?? [])),
  };
}

function inFeed(category: string, feedCategories: string[]): boolean {
  if (feedCategories.length === 0) return true;
  return feedCategories.some((f) => category === f || category.startsWith(`${f}.`));
}

function parseRdfItem(item: XmlElement, feedCategories: string[]): ParsedEntry {
  const rawTitle = xmlChildText(item, "title") ?? "";
  const m = RDF_TITLE_RE.exec(rawTitle);
  const parts = firstId([m?.[2], item.attrs["rdf:about"], xmlChildText(item, "link")]);
  if (!parts) throw new SkipItem("no arXiv id in the title, rdf:about or link");
  const { id } = parts;
  if (!m) throw new SkipItem('title lacks the "(arXiv:ID [category])" suffix', id);
  const title = cleanText(m[1]!);
  if (title === "") throw new SkipItem("no title", id);
  const primaryCategory = m[3]!;
  const flag = m[4]?.trim() ?? "";
  const outside = !inFeed(primaryCategory, feedCategories);
  const announceType: AnnounceType = flag.includes("UPDATED")
    ? outside
      ? "replace-cross"
      : "replace"
    : flag.includes("CROSS") || outside
      ? "cross"
      : "new";

  const description = xmlChild(item, "description")?.text ?? "";
  const creator = xmlChild(item, "creator")?.text;
  return {
    id,
    version: parts.version ?? 1,
    announceType,
    title,
    abstract: cleanText(htmlToText(description)),
    // The author list is escaped HTML: links around each name, entities for accents.
    authors: creator ? splitAuthors(htmlToText(creator)) : [],
    categories: [primaryCategory],
    primaryCategory,
  };
}
