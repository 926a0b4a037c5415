// The page readers get while the database is unreachable, and the check that decides it. The web
// front (lib/page-cache.ts, run by scripts/web.ts) asks when a Next.js process answers a page view
// with a server error: if the database does not answer a probe either, the reader gets this 503 page
// (words in the server's HTML, readable without JavaScript, Retry-After) instead of Next's error
// shell, which only a browser running the app's scripts turns into words (app/error.tsx).
import pg from "pg";
import { PALETTE_CSS, themeFromCookie } from "./render/page-theme";

const PROBE_TIMEOUT_MS = 1_500;
/** A probe's answer is reused this long: a burst of failing page views costs one probe. */
const PROBE_REUSE_MS = 1_000;

let last: { at: number; reachable: boolean } | undefined;
let probing: Promise<boolean> | undefined;

/** Whether the database answers (connect + SELECT 1 within 1.5 s); one probe at a time, reused for 1 s. */
export function databaseReachable(databaseUrl: string): Promise<boolean> {
  if (last && Date.now() - last.at < PROBE_REUSE_MS) return Promise.resolve(last.reachable);
  probing ??= probe(databaseUrl).then((reachable) => {
    last = { at: Date.now(), reachable };
    probing = undefined;
    return reachable;
  });
  return probing;
}

async function probe(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: PROBE_TIMEOUT_MS, query_timeout: PROBE_TIMEOUT_MS });
  client.on("error", () => {}); // a connection dropped after the probe concerns nobody
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    void client.end().catch(() => {});
  }
}

const escapeHtml = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

export interface ErrorPage {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The 503 page: the site's colours and the reader's theme (cookie), what happened, what to do; no script. */
export function databaseDownPage(cookieHeader: string | undefined, path: string): ErrorPage {
  const html = `<!DOCTYPE html>
<html lang="en" data-theme="${themeFromCookie(cookieHeader)}">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<meta name="robots" content="noindex"/>
<title>Database unreachable · Paper Triage</title>
<style>${PALETTE_CSS}
body { margin: 0; background: var(--bg); color: var(--fg); line-height: 1.5; }
a { color: var(--link); }
header { padding: 0.75rem 1.25rem; border-bottom: 1px solid var(--border); background: var(--card); }
header a { font-weight: 700; color: var(--accent); text-decoration: none; }
main { max-width: 40rem; margin: 3rem auto; padding: 0 1.25rem; }
.muted { color: var(--muted); }
</style>
</head>
<body>
<header><a href="/">Paper Triage</a></header>
<main>
<section role="alert">
<h1>The database is unreachable</h1>
<p>This page cannot be shown right now: the web server cannot reach its database. Nothing you saved is lost; starred papers and topics are kept in the database and come back with it.</p>
<p>Try again in a minute: <a href="${escapeHtml(path)}">reload this page</a>. The <a href="/api/health">status page</a> says which part is down. If it stays like this, tell the person who runs this site.</p>
<p class="muted">HTTP 503 · pages come back as soon as the database answers.</p>
</section>
</main>
</body>
</html>
`;
  return { status: 503, headers: { "content-type": "text/html; charset=utf-8", "retry-after": "10", "cache-control": "no-store" }, body: html };
}
