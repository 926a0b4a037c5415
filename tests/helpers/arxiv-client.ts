// ArxivClient pointed at a test's stand-in server. Kept apart from http-server.ts so that importing
// the server helper loads none of the app (some test files set the environment before the app loads).
import { ArxivClient, type ArxivClientOptions } from "../../lib/arxiv/client";

/**
 * An ArxivClient whose RSS, API and PDF addresses are `server`'s (`/rss`, `/api/query`, `/pdf`),
 * with no spacing between API requests and the tests' User-Agent; `options` set the timeout and
 * retries each test wants (and anything else to change).
 */
export function standInArxivClient(server: { url: string }, options: Pick<ArxivClientOptions, "timeoutMs"> & Partial<ArxivClientOptions>): ArxivClient {
  return new ArxivClient({
    rssBaseUrl: `${server.url}/rss`,
    apiBaseUrl: `${server.url}/api/query`,
    pdfBaseUrl: `${server.url}/pdf`,
    userAgent: "paper-triage-tests",
    apiMinIntervalMs: 0,
    ...options,
  });
}
