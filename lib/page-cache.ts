// The public HTTP front of the web server: a reverse proxy to `next start` (on a private port) that
// keeps the pages signed-out readers see for a few seconds (PAGE_CACHE_SECONDS) and serves them
// again without rendering — the "micro-cache" a proxy such as nginx gives a busy site. Every page is
// rendered per request by Next.js (the root layout reads the theme cookie), so without this, 50
// readers opening the same day's listing cost 50 renders; with it they cost one per key and window.
//
// What is kept (everything else passes through untouched, streamed both ways):
// - GET requests for the reading pages (/, /list/…, /search…, /papers/…, /popular) and the cards
//   a listing loads while scrolling, from a browser holding no cookie but `theme` (any other cookie — a
//   session above all — means a signed-in reader, whose pages are their own), and not Next's own
//   client-side navigation requests (RSC headers), which depend on the router state they carry;
// - answers with status 200, no Set-Cookie, a body under 2 MB, and no PAGE_CACHE_OPT_OUT marker
//   (pages showing work in progress render one, so nobody is served a stale "fetching …" page).
// The key is the address, the theme cookie and whether the browser takes gzip (the body is stored
// as Next sent it). Readers asking for the same key while it is rendered wait for that one render.
// A page expired less than PAGE_CACHE_STALE_SECONDS ago is still served at once while one render in
// the background replaces it (stale-while-revalidate), so readers wait only for pages not seen lately.
// Signed-in readers (a session cookie and no other but the theme) of the pages that are the same for
// everyone but their "reader slots" (the home page, listings not ranked by a topic, the cards a
// listing loads while scrolling, and /popular) get the page kept for nobody, which is always
// rendered without their cookies, with their own parts put into its slots (the `readers` hooks,
// lib/reader-pages.ts): the account corner, the topic picker, stars and topic menus. No reader's
// data is ever kept.
// Answers say `x-page-cache: hit|stale|miss|bypass` (`reader-hit|reader-stale|reader-miss` for those);
// browsers still get Next's `Cache-Control` (no-store).
// It also refuses request bodies over 1 MB (413), chunked ones included, before they reach Next.js,
// gives every render a script nonce of its own (Next.js reads it from a CSP request header; the
// answer's script-src names it), and hands an errorPage hook the page views that failed.
import { randomBytes } from "node:crypto";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { gunzipSync as gunzip } from "node:zlib";
import type { ErrorPage } from "./database-down";
import { bodyTooLargeMessage, MAX_BODY_BYTES } from "./request-limits";
import { isSessionCookie } from "./session-cookie";

/** Rendered by a page that must not be kept (app/components/no-page-cache.tsx). */
export const PAGE_CACHE_OPT_OUT = `<meta name="page-cache" content="no-store"/>`;
const OPT_OUT = Buffer.from(`name="page-cache" content="no-store"`);

export interface PageCacheOptions {
  /** Where the `next start` processes listen; each request goes to the one with the fewest in flight. */
  upstreams: { host: string; port: number }[];
  /** How long a kept page is served (0: nothing is kept, every request passes through). */
  ttlMs: number;
  /**
   * For this long after it expires, a kept page is still served at once (`x-page-cache: stale`)
   * while ONE render in the background replaces it — nobody waits for a page seen before. 0: an
   * expired page is rendered while its reader waits.
   */
  staleMs?: number;
  /**
   * At most this many background renders at once (default 1): refreshing stale pages takes only
   * what is left of the web processes after readers, who are waiting. A stale page whose refresh
   * cannot start now is served as it is and refreshed by a later reader.
   */
  backgroundRenders?: number;
  /**
   * Asked when a web process answers a page view (GET/HEAD, HTML, not /api) with a server error: a
   * page to send instead (scripts/web.ts: the database-down page while the database is unreachable),
   * or undefined to pass the error on.
   */
  errorPage?: (req: IncomingMessage) => Promise<ErrorPage | undefined>;
  /**
   * Signed-in readers' pages on paths where the page is the same for everyone but its reader slots
   * (readerCacheKey): the kept page, rendered for nobody, prepared once per kept page (`prepare`,
   * given its body as kept, gzip or not) and served with one reader's parts put in (`serve`;
   * lib/reader-pages.ts). `serve` failing means the reader's own render instead; `forget` hears of
   * every request that may change something (not GET or HEAD) passing through. Without it, signed-in readers' pages are
   * always rendered for them.
   */
  readers?: {
    /** `bytes`: what the prepared page holds, counted against maxBytes with the kept page. */
    prepare: (body: Buffer, gzip: boolean) => { bytes: number };
    serve: (headers: IncomingHttpHeaders, prepared: { bytes: number }) => Promise<{ body: Buffer | Buffer[]; setCookie: string[] }>;
    forget?: (headers: IncomingHttpHeaders) => void;
    /**
     * Asked first: where this reader goes instead (answered 307, `x-page-cache: reader-redirect`),
     * or undefined to serve the page. lib/reader-pages.ts: "/" of a reader with topics is /inbox.
     * Failing means serving the page.
     */
    redirect?: (headers: IncomingHttpHeaders, url: string) => Promise<{ location: string; setCookie: string[] } | undefined>;
  };
  /** At most this many pages are kept (the oldest go first). */
  maxEntries?: number;
  /** At most this many bytes of bodies are kept in all. */
  maxBytes?: number;
}

interface Entry {
  at: number;
  status: number;
  headers: [string, string | string[]][];
  body: Buffer;
  /** The page prepared for readers (options.readers.prepare), made the first time one asks. */
  prepared?: { bytes: number };
}

// Not /inbox, /starred, /topics…: pages that are one reader's own are never kept.
// /popular counts readers across the site: a few seconds stale, like a listing's counts.
const CACHEABLE_PATH = /^\/(?:$|list\/|search(?:$|\?|\/)|papers\/|popular(?:$|\?))/;
// Headers of Next's client-side navigations and server actions (their answers vary on them).
const NEXT_CLIENT_HEADERS = ["rsc", "next-router-state-tree", "next-router-prefetch", "next-router-segment-prefetch", "next-action"];
const MAX_ENTRY_BYTES = 2 * 1024 * 1024;
// Request headers that would set the script nonce Next.js uses: only the front sets it.
const CSP_HEADERS = new Set(["content-security-policy", "content-security-policy-report-only"]);
// Headers that describe one connection, not the answer (RFC 9110 §7.6.1).
const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

/** The cache key of a request, or undefined when its answer must not be kept or served from the cache. */
export function cacheKey(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  const read = readRequest(method, url, headers);
  return read && !read.session ? read.key : undefined;
}

/**
 * For a signed-in reader's request of a page that is the same for every reader but its reader slots
 * (a listing or the home page, not ranked by a topic; the cards a listing loads while scrolling; /popular):
 * the key of the page as kept for nobody. Undefined for anything else.
 */
export function readerCacheKey(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): string | undefined {
  const read = readRequest(method, url, headers);
  if (!read?.session || !url || !SHARED_PATH.test(url)) return undefined;
  const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
  return query.has("topic") ? undefined : read.key;
}

/** Pages whose only per-reader parts are reader slots: "/", a listing, its cards, /popular. */
const SHARED_PATH = /^\/(?:$|\?|list\/[^/?]+(?:\/cards)?(?:$|\?)|popular(?:$|\?))/;

function readRequest(method: string | undefined, url: string | undefined, headers: IncomingHttpHeaders): { key: string; session: boolean } | undefined {
  if (method !== "GET" || !url || !CACHEABLE_PATH.test(url)) return undefined;
  if (url.startsWith("/search/feed") || /^\/list\/[^?]*\/feed/.test(url)) return undefined; // feeds carry private tokens in the query
  if (NEXT_CLIENT_HEADERS.some((name) => headers[name] !== undefined)) return undefined;
  if (headers.authorization !== undefined) return undefined;
  let theme = "";
  let session = false;
  for (const part of (headers.cookie ?? "").split(";")) {
    const text = part.trim();
    if (!text) continue;
    const eq = text.indexOf("=");
    const name = eq < 0 ? text : text.slice(0, eq);
    if (name === "theme") theme = text.slice(eq + 1);
    else if (isSessionCookie(name)) session = true;
    else return undefined;
  }
  const gzip = /\bgzip\b/.test(String(headers["accept-encoding"] ?? ""));
  return { key: `${gzip ? "gz" : "id"} ${theme} ${url}`, session };
}

export interface PageCacheServer {
  server: http.Server;
  stats: () => { hits: number; misses: number; bypassed: number; stale: number; readers: number; entries: number; bytes: number };
  close: () => Promise<void>;
}

/**
 * Whether a request failed because the kept-alive socket it was sent on had just been closed by the
 * web server (idle past its keep-alive timeout): it never reached the server, so a request without a
 * body may be sent once more on a fresh socket (the remedy Node's http docs give). Seen as a 502 for
 * a page's script when eight readers opened the same page at once.
 */
function closedKeptSocket(request: http.ClientRequest, error: NodeJS.ErrnoException): boolean {
  return request.reusedSocket && (error.code === "ECONNRESET" || error.code === "EPIPE");
}

export function createPageCacheServer(options: PageCacheOptions): PageCacheServer {
  if (options.upstreams.length === 0) throw new Error("the page cache needs at least one web server behind it");
  const upstreams = options.upstreams.map((u) => ({ host: u.host, port: u.port, active: 0 }));
  /** The least busy web server, counted busy until the answer is read whole (or the request fails). */
  const pick = () => {
    const target = upstreams.reduce((best, u) => (u.active < best.active ? u : best));
    target.active += 1;
    let done = false;
    return {
      host: target.host,
      port: target.port,
      release: () => {
        if (!done) target.active -= 1;
        done = true;
      },
    };
  };
  const staleMs = options.staleMs ?? 0;
  const backgroundRenders = options.backgroundRenders ?? 1;
  let inBackground = 0;
  const maxEntries = options.maxEntries ?? 2_000;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  // An idle kept-alive socket is dropped after 1 s, well before a Next.js process closes it (Node's
  // 5 s keep-alive timeout): a socket the server closes just as a request is sent on it fails that
  // request, and a request with a body (a server action, POST /api/faq) cannot be sent again.
  // (The timeout ends idle sockets only; a slow answer on a busy socket is not cut.)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256, timeout: 1_000 });
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Entry | undefined>>();
  let bytes = 0;
  const counts = { hits: 0, misses: 0, bypassed: 0, stale: 0, readers: 0 };

  const remember = (key: string, entry: Entry) => {
    const old = entries.get(key);
    if (old) bytes -= size(old);
    entries.delete(key);
    entries.set(key, entry);
    bytes += size(entry);
    for (const [k, e] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break;
      entries.delete(k);
      bytes -= size(e);
    }
  };

  /**
   * The request as the web process gets it: hop-by-hop headers dropped, X-Forwarded-* added, and a
   * Content-Security-Policy request header naming this render's script nonce, which Next.js puts on
   * every script tag it writes (a client's own CSP request headers are dropped).
   */
  const forwardedHeaders = (req: IncomingMessage, nonce: string, keptRender?: { acceptEncoding: "gzip" | "identity" }): http.OutgoingHttpHeaders => {
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(name) && !CSP_HEADERS.has(name) && value !== undefined) headers[name] = value;
    // A page that is kept is rendered for nobody: of the cookies, only the theme goes with it.
    if (keptRender) {
      // …and as a page load: a page asked for as HTML sends its cards once (app/components/card-list.tsx).
      headers.accept = "text/html";
      const theme = (req.headers.cookie ?? "").split(";").map((c) => c.trim()).filter((c) => c.startsWith("theme="));
      if (theme.length) headers.cookie = theme.join("; ");
      else delete headers.cookie;
    }
    // An IPv4 reader on a dual-stack socket shows as ::ffff:a.b.c.d; passed on as a.b.c.d.
    const client = (req.socket.remoteAddress ?? "").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "");
    headers["x-forwarded-for"] = req.headers["x-forwarded-for"] ? `${req.headers["x-forwarded-for"]}, ${client}` : client;
    headers["x-forwarded-host"] ??= req.headers.host;
    headers["x-forwarded-proto"] ??= "http";
    headers["content-security-policy"] = `script-src 'nonce-${nonce}'`;
    if (keptRender) headers["accept-encoding"] = keptRender.acceptEncoding;
    return headers;
  };

  /** The answer's headers, hop-by-hop ones dropped, its CSP allowing the scripts of this render's nonce. */
  const answerHeaders = (upstream: IncomingMessage, nonce: string): [string, string | string[]][] =>
    Object.entries(upstream.headers)
      .filter((h): h is [string, string | string[]] => !HOP_BY_HOP.has(h[0]) && h[1] !== undefined)
      .map(([name, value]) => (name === "content-security-policy" && typeof value === "string" ? [name, withScriptNonce(value, nonce)] : [name, value]));

  /** A kept page's answer: its headers and status, with `body` (its own, or a reader's form of it, maybe in pieces). */
  const send = (res: ServerResponse, entry: Entry, state: string, body: Buffer | Buffer[] = entry.body, setCookie: string[] = []) => {
    for (const [name, value] of entry.headers) if (name !== "content-length") res.setHeader(name, value);
    if (setCookie.length) res.setHeader("set-cookie", setCookie);
    const pieces = Array.isArray(body) ? body : [body];
    res.setHeader("content-length", pieces.reduce((n, b) => n + b.length, 0));
    res.setHeader("x-page-cache", state);
    res.writeHead(entry.status);
    // Corked: the pieces leave in one write (writev), not one packet each.
    res.cork();
    for (const piece of pieces) if (piece.length) res.write(piece);
    res.end();
  };

  /** The kept page of `key` while it may be served: as it is (`hit`), or while one render replaces it (`stale`). */
  const lookup = (key: string): { kept: Entry; state: "hit" | "stale" } | undefined => {
    const kept = entries.get(key);
    if (!kept) return undefined;
    const age = Date.now() - kept.at;
    if (age < options.ttlMs) return { kept, state: "hit" };
    return age < options.ttlMs + staleMs ? { kept, state: "stale" } : undefined;
  };

  /** One render of `key` in the background, unless one is under way or the background renders are all busy. */
  const refresh = (key: string, req: IncomingMessage) => {
    if (inFlight.has(key) || inBackground >= backgroundRenders) return;
    inBackground += 1;
    void renderOnce(key, req, undefined).finally(() => (inBackground -= 1));
  };

  const failed = (res: ServerResponse, error: Error) => {
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    res.writeHead(502, { "content-type": "text/plain; charset=utf-8" });
    res.end(`The web server behind this address did not answer (${error.message}). It may be starting or restarting; try again in a moment.\n`);
  };

  /** Whether `errorPage` is asked about this answer: a page view (GET/HEAD, HTML, not /api) that failed on the server. */
  const replaceable = (req: IncomingMessage, upstream: IncomingMessage): boolean =>
    options.errorPage !== undefined &&
    (upstream.statusCode ?? 502) >= 500 &&
    (req.method === "GET" || req.method === "HEAD") &&
    !req.url?.startsWith("/api/") &&
    String(upstream.headers["content-type"] ?? "").startsWith("text/html");

  /**
   * For a replaceable answer: when `errorPage` has a page for it, sends that page (with the web
   * process's other headers `headers`, security headers included), drops the failed answer, and
   * resolves true; otherwise resolves false and the answer is passed on.
   */
  const replaceError = async (req: IncomingMessage, res: ServerResponse, upstream: IncomingMessage, headers: [string, string | string[]][], state: string): Promise<boolean> => {
    const page = await options.errorPage!(req).catch(() => undefined);
    if (!page) return false;
    upstream.resume();
    const replaced = new Set(["content-type", "content-length", "content-encoding", "cache-control", "vary", "link", ...Object.keys(page.headers)]);
    for (const [name, value] of headers) if (!replaced.has(name)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(page.headers)) res.setHeader(name, value);
    res.setHeader("content-length", Buffer.byteLength(page.body));
    res.setHeader("x-page-cache", state);
    res.writeHead(page.status);
    res.end(req.method === "HEAD" ? undefined : page.body);
    return true;
  };

  /** Passes a request through, streaming both ways; a body over MAX_BODY_BYTES is refused with 413. */
  const pass = (req: IncomingMessage, res: ServerResponse) => {
    counts.bypassed += 1;
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > MAX_BODY_BYTES) return tooLarge(req, res, declared);
    // Without a body the request can be sent again when its kept-alive socket turns out closed.
    const bodiless = (req.method === "GET" || req.method === "HEAD") && !declared && req.headers["transfer-encoding"] === undefined;
    let refused = false;
    const attempt = (retried: boolean) => {
      const target = pick();
      const nonce = newNonce();
      const upstreamReq = http.request(
        { host: target.host, port: target.port, agent, method: req.method, path: req.url, headers: forwardedHeaders(req, nonce) },
        async (upstream) => {
          upstream.on("close", target.release);
          upstream.on("error", (error) => res.destroy(error));
          const headers = answerHeaders(upstream, nonce);
          if (replaceable(req, upstream) && (await replaceError(req, res, upstream, headers, "bypass"))) return;
          res.writeHead(upstream.statusCode ?? 502, upstream.statusMessage, rawHeaders(headers, "bypass"));
          upstream.pipe(res);
        },
      );
      upstreamReq.on("error", (error) => {
        target.release();
        if (refused) return;
        if (bodiless && !retried && closedKeptSocket(upstreamReq, error)) return attempt(true);
        failed(res, error);
      });
      res.on("close", () => {
        if (!res.writableFinished) upstreamReq.destroy();
      });
      if (bodiless) {
        upstreamReq.end();
        return;
      }
      // A body sent in chunks declares no length: it is counted as it passes (Next would answer a
      // server action over its limit with a 500, and not every route caps what it reads).
      let received = 0;
      req.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received <= MAX_BODY_BYTES || refused) return;
        refused = true;
        req.unpipe(upstreamReq);
        upstreamReq.destroy();
        target.release();
        if (res.headersSent) res.destroy();
        else tooLarge(req, res, "more");
      });
      req.pipe(upstreamReq);
    };
    attempt(false);
  };

  const tooLarge = (req: IncomingMessage, res: ServerResponse, bytes: number | "more") => {
    res.writeHead(413, { "content-type": "text/plain; charset=utf-8", connection: "close", "x-page-cache": "bypass" });
    res.end(bodyTooLargeMessage(bytes));
    // The rest of the body is not read; the connection closes once the answer is out.
    req.resume();
  };

  /**
   * Renders a cacheable request once and resolves with the entry when it may be kept. With `res`,
   * the answer streams to that reader as it comes; without, it is a background refresh of a stale page.
   */
  const render = (key: string, req: IncomingMessage, res: ServerResponse | undefined, retried = false): Promise<Entry | undefined> =>
    new Promise<Entry | undefined>((resolve) => {
      const gzip = key.startsWith("gz ");
      const target = pick();
      // One nonce per render: every reader of a kept page gets the one its scripts carry.
      const nonce = newNonce();
      const upstreamReq = http.request(
        { host: target.host, port: target.port, agent, method: "GET", path: req.url, headers: forwardedHeaders(req, nonce, { acceptEncoding: gzip ? "gzip" : "identity" }) },
        async (upstream) => {
          upstream.on("close", target.release);
          const headers = answerHeaders(upstream, nonce);
          const status = upstream.statusCode ?? 502;
          if (res && replaceable(req, upstream) && (await replaceError(req, res, upstream, headers, "miss"))) return resolve(undefined);
          res?.writeHead(status, upstream.statusMessage, rawHeaders(headers, "miss"));
          let keep = status === 200 && upstream.headers["set-cookie"] === undefined;
          const chunks: Buffer[] = [];
          let size = 0;
          upstream.on("data", (chunk: Buffer) => {
            res?.write(chunk);
            if (!keep) return;
            size += chunk.length;
            if (size > MAX_ENTRY_BYTES) {
              keep = false;
              chunks.length = 0;
            } else chunks.push(chunk);
          });
          upstream.on("end", () => {
            res?.end();
            const body = keep ? Buffer.concat(chunks) : undefined;
            // The opt-out marker is looked for in the text; a gzip body is looked at unpacked.
            if (!body || containsOptOut(body, upstream.headers["content-encoding"])) return resolve(undefined);
            resolve({ at: Date.now(), status, headers, body });
          });
          upstream.on("error", (error) => {
            res?.destroy(error);
            resolve(undefined);
          });
        },
      );
      upstreamReq.on("error", (error) => {
        target.release();
        if (!retried && closedKeptSocket(upstreamReq, error)) return resolve(render(key, req, res, true));
        if (res) failed(res, error);
        resolve(undefined);
      });
      upstreamReq.end();
    });

  /** One render per key at a time; what it yields replaces the kept page (or drops it when it may not be kept). */
  const renderOnce = (key: string, req: IncomingMessage, res: ServerResponse | undefined) => {
    const rendering = render(key, req, res).then((entry) => {
      inFlight.delete(key);
      if (entry) remember(key, entry);
      else entries.delete(key);
      return entry;
    });
    inFlight.set(key, rendering);
    return rendering;
  };

  /**
   * A signed-in reader's page from the page kept for nobody under `key` (rendered now when there is
   * none, without streaming: the reader's parts go in before it is sent), with their parts put in.
   * When the page may not be kept, or the reader's parts cannot be had, the reader's own render.
   */
  const serveReader = async (key: string, req: IncomingMessage, res: ServerResponse) => {
    const to = await options.readers!.redirect?.(req.headers, req.url ?? "/").catch(() => undefined);
    if (to) {
      if (res.destroyed) return;
      if (to.setCookie.length) res.setHeader("set-cookie", to.setCookie);
      res.writeHead(307, { location: to.location, "cache-control": "no-store", "content-length": 0, "x-page-cache": "reader-redirect" });
      res.end();
      return;
    }
    const found = lookup(key);
    if (found?.state === "stale") refresh(key, req);
    const entry = found ? found.kept : await (inFlight.get(key) ?? renderOnce(key, req, undefined));
    const state = found?.state ?? "miss";
    if (!entry) return pass(req, res);
    counts.readers += 1;
    const gzip = entry.headers.some(([name, value]) => name === "content-encoding" && value === "gzip");
    let page: { body: Buffer | Buffer[]; setCookie: string[] };
    try {
      if (!entry.prepared) {
        entry.prepared = options.readers!.prepare(entry.body, gzip);
        if (entries.get(key) === entry) bytes += entry.prepared.bytes;
      }
      page = await options.readers!.serve(req.headers, entry.prepared);
    } catch {
      return pass(req, res);
    }
    if (res.destroyed) return;
    send(res, entry, `reader-${state}`, page.body, page.setCookie);
  };

  const server = http.createServer((req, res) => {
    const key = options.ttlMs > 0 ? cacheKey(req.method, req.url, req.headers) : undefined;
    if (!key) {
      if (req.method !== "GET" && req.method !== "HEAD" && options.readers?.forget) {
        // Before (a page asked for meanwhile waits for nothing stale) and after the change is made.
        const forget = options.readers.forget;
        forget(req.headers);
        res.on("close", () => forget(req.headers));
      }
      const shared = options.ttlMs > 0 && options.readers ? readerCacheKey(req.method, req.url, req.headers) : undefined;
      if (shared) return void serveReader(shared, req, res).catch((error: Error) => failed(res, error));
      return pass(req, res);
    }
    const found = lookup(key);
    if (found?.state === "hit") {
      counts.hits += 1;
      return send(res, found.kept, "hit");
    }
    if (found) {
      // Seen before and not long expired: served as it was while one render replaces it.
      counts.stale += 1;
      send(res, found.kept, "stale");
      refresh(key, req);
      return;
    }
    const pending = inFlight.get(key);
    if (pending) {
      // Someone is rendering this page now: wait for it, or render our own when it may not be kept.
      void pending.then((entry) => {
        if (entry) {
          counts.hits += 1;
          send(res, entry, "hit");
        } else pass(req, res);
      });
      return;
    }
    counts.misses += 1;
    renderOnce(key, req, res);
  });
  // As Node's own server: idle keep-alive sockets are closed, slow headers are refused.
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 60_000;

  return {
    server,
    stats: () => ({ ...counts, entries: entries.size, bytes }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        agent.destroy();
      }),
  };
}

/** What a kept page holds in memory: its body, and its prepared form once a reader asked. */
const size = (entry: Entry) => entry.body.length + (entry.prepared?.bytes ?? 0);

const newNonce = () => randomBytes(16).toString("base64");

/**
 * The policy with `'nonce-…'` added to its script-src: browsers that know nonces then run only the
 * scripts carrying it and ignore the `'unsafe-inline'` kept there for those that do not.
 */
export function withScriptNonce(policy: string, nonce: string): string {
  return policy
    .split(";")
    .map((directive) => (/^\s*script-src(\s|$)/.test(directive) ? `${directive.trimEnd()} 'nonce-${nonce}'` : directive))
    .join(";");
}

/** Headers as Node's flat [name, value, name, value …] list (repeated Set-Cookie stays repeated), with x-page-cache. */
function rawHeaders(headers: [string, string | string[]][], state: string): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) for (const v of Array.isArray(value) ? value : [value]) flat.push(name, v);
  flat.push("x-page-cache", state);
  return flat;
}

function containsOptOut(body: Buffer, encoding: string | string[] | undefined): boolean {
  if (!encoding || encoding === "identity") return body.includes(OPT_OUT);
  if (encoding === "gzip") {
    try {
      return gunzip(body).includes(OPT_OUT);
    } catch {
      return true; // unreadable: do not keep it
    }
  }
  return true; // an encoding we did not ask for: do not keep it
}
