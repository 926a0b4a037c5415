// OAI-PMH responses from export.arxiv.org/oai2 (the bulk path) → ParsedFeed: ListRecords and
// GetRecord with metadataPrefix arXivRaw (versions with dates) or arXiv (structured authors),
// resumption tokens, and OAI error responses. Pure: a string in, plain data out.

import { normalizeArxivId } from "./ids";
import { cleanText, splitAuthors, texToUnicode } from "./text";
import { readXmlDocument, xmlChild, xmlChildren, xmlChildText, type XmlElement } from "./xml";
import { FeedError, type ParsedEntry, type ParsedFeed, type SkippedItem } from "./types";

const WHAT = "arXiv OAI-PMH response";

class SkipRecord extends Error {
  constructor(
    reason: string,
    readonly id?: string,
  ) {
    super(reason);
  }
}

/**
 * Parses an OAI-PMH ListRecords or GetRecord response. Throws FeedError for malformed XML and OAI
 * errors (with the code and arXiv's message), except noRecordsMatch, which is OAI's way of saying
 * "empty result" and gives zero entries. Deleted and unreadable records go to `skipped`.
 */
export function parseOai(xml: string): ParsedFeed {
  const root = readXmlDocument(xml, WHAT);
  if (root.name !== "OAI-PMH") {
    throw new FeedError(`${WHAT}: expected <OAI-PMH> as the root element, got <${root.qname}>`);
  }
  const errors = xmlChildren(root, "error");
  const fatal = errors.filter((e) => e.attrs.code !== "noRecordsMatch");
  if (fatal.length > 0) {
    const text = fatal.map((e) => `${e.attrs.code ?? "unknown"}: ${cleanText(e.text)}`).join("; ");
    throw new FeedError(`OAI-PMH error ${text}`);
  }
  if (errors.length > 0) return { format: "oai", entries: [], skipped: [] };

  const container = xmlChild(root, "ListRecords") ?? xmlChild(root, "GetRecord");
  if (!container) throw new FeedError(`${WHAT}: neither <ListRecords> nor <GetRecord> in the response`);
  const entries: ParsedEntry[] = [];
  const skipped: SkippedItem[] = [];
  xmlChildren(container, "record").forEach((record, index) => {
    try {
      entries.push(parseRecord(record));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      skipped.push(err instanceof SkipRecord && err.id !== undefined ? { index, id: err.id, reason } : { index, reason });
    }
  });
  // An empty token marks the last page of a list.
  const resumptionToken = xmlChildText(container, "resumptionToken");
  return {
    format: "oai",
    entries,
    skipped,
    ...(resumptionToken !== undefined && { resumptionToken }),
  };
}

function tryId(s: string | undefined): { id: string; version?: number } | undefined {
  if (!s) return undefined;
  try {
    return normalizeArxivId(s);
  } catch {
    return undefined;
  }
}

function dateText(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  // OAI's plain days ("2008-01-25") are UTC days; Date() already reads a bare ISO date as UTC.
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function parseRecord(record: XmlElement): ParsedEntry {
  const header = xmlChild(record, "header");
  const headerId = tryId(header ? xmlChildText(header, "identifier") : undefined)?.id;
  if (header?.attrs.status === "deleted") throw new SkipRecord("deleted record", headerId);
  const meta = xmlChild(record, "metadata")?.children[0];
  if (!meta) throw new SkipRecord("no <metadata>", headerId);
  if (meta.name === "arXivRaw") return parseMetadata(meta, headerId, "raw");
  if (meta.name === "arXiv") return parseMetadata(meta, headerId, "arXiv");
  throw new SkipRecord(`unsupported metadata format <${meta.qname}> (use arXivRaw)`, headerId);
}

function parseMetadata(meta: XmlElement, headerId: string | undefined, kind: "raw" | "arXiv"): ParsedEntry {
  const parts = tryId(xmlChildText(meta, "id")) ?? tryId(headerId);
  if (!parts) throw new SkipRecord("no arXiv id in <id> or the header");
  const { id } = parts;
  const title = xmlChildText(meta, "title");
  if (!title) throw new SkipRecord("no title", id);
  const categories = [...new Set((xmlChildText(meta, "categories") ?? "").split(" ").filter((c) => c !== ""))];
  const primaryCategory = categories[0];
  if (primaryCategory === undefined) throw new SkipRecord("no categories", id);

  let version = 1;
  let publishedAt: Date | undefined;
  let updatedAt: Date | undefined;
  let authors: string[];
  if (kind === "raw") {
    // <version version="v2"><date>Mon, 4 Feb 2008 15:05:55 GMT</date>...</version>, oldest first.
    let latest = 0;
    for (const v of xmlChildren(meta, "version")) {
      const n = Number(/^v(\d+)$/.exec(v.attrs.version ?? "")?.[1] ?? Number.NaN);
      const date = dateText(xmlChildText(v, "date"));
      if (!Number.isSafeInteger(n)) continue;
      if (n === 1) publishedAt = date;
      if (n > latest) {
        latest = n;
        updatedAt = date;
      }
    }
    if (latest === 0) throw new SkipRecord("no <version> elements", id);
    version = latest;
    authors = splitAuthors(xmlChild(meta, "authors")?.text ?? "");
  } else {
    // The arXiv format gives v1's day and the last update's day, but not the version number.
    publishedAt = dateText(xmlChildText(meta, "created"));
    updatedAt = dateText(xmlChildText(meta, "updated"));
    authors = [];
    for (const a of xmlChildren(xmlChild(meta, "authors") ?? meta, "author")) {
      const name = [xmlChildText(a, "forenames"), xmlChildText(a, "keyname"), xmlChildText(a, "suffix")]
        .filter((p) => p !== undefined)
        .join(" ");
      const clean = cleanText(texToUnicode(name));
      if (clean !== "") authors.push(clean);
    }
  }

  const comments = xmlChildText(meta, "comments");
  const journalRef = xmlChildText(meta, "journal-ref");
  const doi = xmlChildText(meta, "doi");
  return {
    id,
    version,
    title,
    abstract: xmlChildText(meta, "abstract") ?? "",
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
