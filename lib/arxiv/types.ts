// What the arXiv parsers produce and the crawler stores: plain data, text never markup.

export type AnnounceType = "new" | "cross" | "replace" | "replace-cross";

/** One paper as a feed describes it. */
export interface ParsedEntry {
  /** Normalised id without version: "2104.12255", "0704.0001", "hep-th/9711200". */
  id: string;
  /** Version number (1 when the feed does not say). */
  version: number;
  /** Daily listings only (RSS/RDF); undefined for API/OAI/Kaggle entries. */
  announceType?: AnnounceType;
  /** Plain text with LaTeX kept, hard wraps and stray whitespace removed. */
  title: string;
  abstract: string;
  /** One Unicode name per author, TeX accents converted, affiliations removed. */
  authors: string[];
  /** All categories, primary first. */
  categories: string[];
  primaryCategory: string;
  comments?: string;
  journalRef?: string;
  doi?: string;
  /** When v1 was submitted (API/OAI/Kaggle); undefined when the feed does not say. */
  publishedAt?: Date;
  /** When this version was submitted or last updated, when known. */
  updatedAt?: Date;
}

/** An item the parser could not turn into an entry; the rest of the feed is still returned. */
export interface SkippedItem {
  /** Position of the item in the feed (0-based). */
  index: number;
  /** The id if it could be read. */
  id?: string;
  reason: string;
}

export interface ParsedFeed {
  format: "rss" | "rdf" | "atom" | "oai" | "kaggle";
  /** Announcement date of a daily feed (YYYY-MM-DD, from the channel's date), when present. */
  announcedOn?: string;
  /** Categories the feed is for (from its link/title), when present. */
  feedCategories?: string[];
  entries: ParsedEntry[];
  skipped: SkippedItem[];
  /** API paging: total matches and this page's start (Atom opensearch). */
  totalResults?: number;
  startIndex?: number;
  /** OAI-PMH paging. */
  resumptionToken?: string;
}

/** The feed itself is an error (arXiv's error feed, malformed XML, unknown archive). Never retried. */
export class FeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "FeedError";
  }
}
