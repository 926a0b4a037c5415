// ArxivClient: the only code that talks to arXiv over the network (daily RSS listings, the Atom
// search API, PDFs). It returns what arXiv sent; parsing (lib/arxiv/parse-*.ts) is the caller's
// job, so a feed can be stored or re-parsed without another request.
// Every request identifies the app (User-Agent), has a time limit, stops on shutdown, and is
// retried by @retry on transient failures (see lib/retry.ts).
import { env } from "../env";
import {
  HttpError,
  NetworkError,
  RequestTimeoutError,
  isNetworkFailure,
  retry,
  sleep,
  type RetryHost,
  type RetryOptions,
} from "../retry";

export interface ArxivClientOptions {
  /** e.g. https://rss.arxiv.org/rss */
  rssBaseUrl: string;
  /** e.g. https://export.arxiv.org/api/query */
  apiBaseUrl: string;
  /** e.g. https://arxiv.org/pdf */
  pdfBaseUrl: string;
  userAgent: string;
  /** Per request: connecting, waiting, and reading the whole body. */
  timeoutMs: number;
  /** Least time between the starts of two API requests from this process. */
  apiMinIntervalMs: number;
  /** Shutdown: aborts requests in flight and the waits between retries. */
  signal?: AbortSignal;
  /** Overrides of the retry policy for every method (tests use short waits). */
  retry?: RetryOptions;
}

/** A response body as arXiv sent it. */
export interface FetchedDocument {
  /** The URL requested (before any redirect). */
  url: string;
  status: number;
  body: string;
  fetchedAt: Date;
  /** The Content-Type header, when sent. */
  contentType: string | undefined;
}

export type ApiSortBy = "relevance" | "lastUpdatedDate" | "submittedDate";
export type ApiSortOrder = "ascending" | "descending";

export interface ApiQuery {
  /** arXiv ids, with or without version ("2104.12255", "hep-th/9711200v2"). */
  idList?: string[];
  /** arXiv query syntax, e.g. `submittedDateQuery(...)` or `ti:transformer AND cat:cs.CL`. */
  searchQuery?: string;
  start?: number;
  maxResults?: number;
  sortBy?: ApiSortBy;
  sortOrder?: ApiSortOrder;
}

const CATEGORY = /^[a-z-]+(\.[A-Za-z-]+)?$/;
// New-style (0704.0001, 2104.12255) and old-style (hep-th/9711200, math.NA/0601001) ids, no version.
const ARXIV_ID = /^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?\/\d{7})$/;

/**
 * Spaces API requests from this process at least `intervalMs` apart (start to start), as arXiv's API
 * terms ask (one request every 3 s). One gate per API origin, shared by all clients in the process.
 * Several worker processes are kept under the same limit by the BullMQ rate limiter on the crawl
 * queue; this gate only covers requests issued inside one process (including retries).
 */
class MinIntervalGate {
  private lastStart = Number.NEGATIVE_INFINITY;

  /** Waits for this caller's slot. Slots are reserved in call order, so concurrent callers queue up. */
  async wait(intervalMs: number, signal: AbortSignal | undefined): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.lastStart + intervalMs);
    this.lastStart = slot;
    if (slot > now) await sleep(slot - now, signal);
  }
}

const apiGates = new Map<string, MinIntervalGate>();

function gateFor(url: string): MinIntervalGate {
  const origin = new URL(url).origin;
  let gate = apiGates.get(origin);
  if (!gate) {
    gate = new MinIntervalGate();
    apiGates.set(origin, gate);
  }
  return gate;
}


function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/** Search query for one category's submissions between two days, inclusive ("YYYY-MM-DD" or "YYYYMMDD"). */
export function submittedDateQuery(category: string, from: string, to: string): string {
  if (!CATEGORY.test(category)) {
    throw new RangeError(`"${category}" is not an arXiv category (expected something like cs.AI or math.NA)`);
  }
  const day = (value: string, label: string): string => {
    const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(value.trim());
    const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
    if (!match || !date || date.getUTCDate() !== Number(match[3]) || date.getUTCMonth() !== Number(match[2]) - 1) {
      throw new RangeError(`submittedDateQuery: ${label} "${value}" is not a date (expected YYYY-MM-DD)`);
    }
    return `${match[1]}${match[2]}${match[3]}`;
  };
  const start = day(from, "from");
  const end = day(to, "to");
  if (start > end) throw new RangeError(`submittedDateQuery: from ${from} is after to ${to}`);
  return `cat:${category} AND submittedDate:[${start}0000 TO ${end}2359]`;
}

export class ArxivClient implements RetryHost {
  readonly rssBaseUrl: string;
  readonly apiBaseUrl: string;
  readonly pdfBaseUrl: string;
  readonly userAgent: string;
  readonly timeoutMs: number;
  readonly apiMinIntervalMs: number;
  /** Read by @retry: aborting it ends retries and waits at once (see lib/retry.ts). */
  readonly signal: AbortSignal | undefined;
  /** Read by @retry: per-instance overrides of the retry policy. */
  readonly retryOptions: RetryOptions | undefined;

  constructor(options: ArxivClientOptions) {
    this.rssBaseUrl = withoutTrailingSlash(options.rssBaseUrl);
    this.apiBaseUrl = options.apiBaseUrl;
    this.pdfBaseUrl = withoutTrailingSlash(options.pdfBaseUrl);
    this.userAgent = options.userAgent;
    this.timeoutMs = options.timeoutMs;
    this.apiMinIntervalMs = options.apiMinIntervalMs;
    this.signal = options.signal;
    this.retryOptions = options.retry;
  }

  /** A client configured from the environment (ARXIV_* variables in lib/env.ts). */
  static fromEnv(overrides: Partial<ArxivClientOptions> = {}): ArxivClient {
    const config = env();
    return new ArxivClient({
      rssBaseUrl: config.ARXIV_RSS_URL,
      apiBaseUrl: config.ARXIV_API_URL,
      pdfBaseUrl: config.ARXIV_PDF_URL,
      userAgent: config.ARXIV_USER_AGENT,
      timeoutMs: config.ARXIV_REQUEST_TIMEOUT_MS,
      apiMinIntervalMs: config.ARXIV_API_MIN_INTERVAL_MS,
      ...overrides,
    });
  }

  /** The daily listing (RSS 2.0) for one or more categories: GET `${rssBaseUrl}/cs.AI+cs.CL`. */
  @retry({ minTimeout: 2_000 })
  async fetchRss(categories: string[]): Promise<FetchedDocument> {
    if (categories.length === 0) throw new RangeError("fetchRss needs at least one category");
    const bad = categories.find((c) => !CATEGORY.test(c));
    if (bad !== undefined) throw new RangeError(`"${bad}" is not an arXiv category (expected something like cs.AI)`);
    const url = `${this.rssBaseUrl}/${categories.join("+")}`;
    return this.getText(url, "application/rss+xml, application/xml;q=0.9, */*;q=0.1");
  }

  /** One page of the Atom search API. Requests are spaced `apiMinIntervalMs` apart in this process. */
  @retry({ minTimeout: 3_000 })
  async fetchApi(query: ApiQuery): Promise<FetchedDocument> {
    const url = this.apiUrl(query);
    await gateFor(url).wait(this.apiMinIntervalMs, this.signal);
    return this.getText(url, "application/atom+xml, application/xml;q=0.9, */*;q=0.1");
  }

  /** The PDF of a paper: the given version, or the latest when `version` is omitted. Spaced like API requests. */
  @retry({ minTimeout: 2_000 })
  async fetchPdf(id: string, version?: number): Promise<Buffer> {
    if (!ARXIV_ID.test(id)) {
      throw new RangeError(`"${id}" is not an arXiv id without version (expected e.g. 2104.12255 or hep-th/9711200)`);
    }
    if (version !== undefined && (!Number.isInteger(version) || version < 1)) {
      throw new RangeError(`PDF version must be a whole number ≥ 1, got ${version}`);
    }
    // Old-style ids keep their slash: https://arxiv.org/pdf/hep-th/9711200v1.
    const url = `${this.pdfBaseUrl}/${id}${version === undefined ? "" : `v${version}`}`;
    // The same spacing as API requests (per origin): FAQ_FULL_TEXT fetches one PDF per FAQ.
    await gateFor(url).wait(this.apiMinIntervalMs, this.signal);
    const { body } = await this.request(url, "application/pdf", async (response) =>
      Buffer.from(await response.arrayBuffer()),
    );
    return body;
  }

  /** The API URL for a query (exposed for logs and tests). */
  apiUrl(query: ApiQuery): string {
    if (query.searchQuery === undefined && !query.idList?.length) {
      throw new RangeError("fetchApi needs a searchQuery or a non-empty idList");
    }
    const url = new URL(this.apiBaseUrl);
    if (query.searchQuery !== undefined) url.searchParams.set("search_query", query.searchQuery);
    if (query.idList !== undefined && query.idList.length > 0) url.searchParams.set("id_list", query.idList.join(","));
    if (query.start !== undefined) url.searchParams.set("start", String(query.start));
    if (query.maxResults !== undefined) url.searchParams.set("max_results", String(query.maxResults));
    if (query.sortBy !== undefined) url.searchParams.set("sortBy", query.sortBy);
    if (query.sortOrder !== undefined) url.searchParams.set("sortOrder", query.sortOrder);
    return url.toString();
  }

  private async getText(url: string, accept: string): Promise<FetchedDocument> {
    const { status, contentType, body } = await this.request(url, accept, (response) => response.text());
    return { url, status, body, fetchedAt: new Date(), contentType };
  }

  /**
   * One GET with the User-Agent and the time limit (which covers reading the body). Turns failures
   * into the typed errors @retry understands: HttpError, RequestTimeoutError, NetworkError.
   */
  private async request<T>(
    url: string,
    accept: string,
    read: (response: Response) => Promise<T>,
  ): Promise<{ status: number; contentType: string | undefined; body: T }> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([timeout, this.signal]) : timeout;
    try {
      const response = await fetch(url, { headers: { "user-agent": this.userAgent, accept }, signal });
      if (!response.ok) throw await HttpError.fromResponse(response, { method: "GET", url });
      const body = await read(response);
      return { status: response.status, contentType: response.headers.get("content-type") ?? undefined, body };
    } catch (error) {
      if (error instanceof HttpError) throw error;
      // Shutdown wins over everything else: rethrow its reason so @retry stops without another attempt.
      if (this.signal?.aborted) throw this.signal.reason;
      if (timeout.aborted) throw new RequestTimeoutError({ url, timeoutMs: this.timeoutMs, cause: error });
      if (isNetworkFailure(error)) throw new NetworkError({ url, cause: error });
      throw error;
    }
  }
}
