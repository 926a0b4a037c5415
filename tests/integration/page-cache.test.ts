// The page cache in front of the web server (lib/page-cache.ts), against real HTTP servers on
// 127.0.0.1 standing in for `next start`: what is kept, for whom, for how long, what passes
// through untouched, and how requests are spread over several web processes.
// tests/e2e/page-cache.test.ts runs it in front of the real Next.js app.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterEach, expect, test } from "vitest";
import { cacheKey, createPageCacheServer, PAGE_CACHE_OPT_OUT, type PageCacheOptions, type PageCacheServer } from "../../lib/page-cache";

interface Upstream {
  port: number;
  seen: IncomingMessage[];
  bodies: string[];
  close: () => Promise<void>;
}

const opened: { close: () => Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

/** A web server stand-in: `handler` answers; every request and its body is recorded. */
async function upstream(handler: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<Upstream> {
  const seen: IncomingMessage[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req);
    let body = "";
    req.on("data", (d: Buffer) => (body += d));
    req.on("end", () => {
      bodies.push(body);
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const u = {
    port: (server.address() as AddressInfo).port,
    seen,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  opened.push(u);
  return u;
}

async function front(ports: number[], ttlMs = 60_000, staleMs = 0, more: Partial<PageCacheOptions> = {}): Promise<{ url: string; cache: PageCacheServer }> {
  const cache = createPageCacheServer({ upstreams: ports.map((port) => ({ host: "127.0.0.1", port })), ttlMs, staleMs, ...more });
  await new Promise<void>((r) => cache.server.listen(0, "127.0.0.1", r));
  opened.unshift({ close: () => cache.close() });
  return { url: `http://127.0.0.1:${(cache.server.address() as AddressInfo).port}`, cache };
}

const html = (text: string) => (_req: IncomingMessage, res: ServerResponse, n: number) => {
  res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "private, no-cache, no-store, max-age=0, must-revalidate" });
  res.end(`<p>${text} #${n}</p>`);
};

const get = async (url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(url, { headers });
  return { status: response.status, state: response.headers.get("x-page-cache"), body: await response.text(), headers: response.headers };
};

test("cacheKey: reading pages of signed-out readers only", () => {
  const k = (url: string, headers: Record<string, string> = {}, method = "GET") => cacheKey(method, url, headers);
  for (const url of ["/", "/list/cs.AI?date=2025-04-28", "/list/cs.AI/cards?date=2025-04-28&offset=25", "/search?q=graph", "/papers/2104.12255"]) {
    expect(k(url), url).toBeDefined();
  }
  for (const url of ["/api/health", "/admin", "/topics", "/starred", "/sign-in", "/_next/static/x.js", "/list/cs.AI/feed?token=x", "/search/feed?q=x", "/searching"]) {
    expect(k(url), url).toBeUndefined();
  }
  expect(k("/", {}, "POST")).toBeUndefined();
  expect(k("/", {}, "HEAD")).toBeUndefined();
  // A session (or any cookie but the theme) means a signed-in reader; so do credentials.
  expect(k("/", { cookie: "paper-triage.session_token=abc" })).toBeUndefined();
  expect(k("/", { cookie: "theme=dark; other=1" })).toBeUndefined();
  expect(k("/", { authorization: "Bearer x" })).toBeUndefined();
  // Next's client navigations and server actions.
  expect(k("/", { rsc: "1" })).toBeUndefined();
  expect(k("/", { "next-router-state-tree": "%5B%5D" })).toBeUndefined();
  expect(k("/", { "next-action": "abc" })).toBeUndefined();
  // The theme and gzip are part of the key.
  expect(k("/", { cookie: "theme=dark" })).not.toBe(k("/", { cookie: "theme=light" }));
  expect(k("/", { "accept-encoding": "gzip, deflate" })).not.toBe(k("/"));
  expect(k("/", { cookie: "theme=dark", "accept-encoding": "br, gzip" })).toBe(k("/", { cookie: " theme=dark", "accept-encoding": "gzip" }));
});

test("a signed-out reader's page is rendered once and then served from the cache, intact, until it expires", async () => {
  const up = await upstream(html("listing"));
  const { url, cache } = await front([up.port], 400);
  const first = await get(`${url}/list/cs.AI?date=2025-04-28`);
  const second = await get(`${url}/list/cs.AI?date=2025-04-28`);
  expect([first.state, second.state]).toEqual(["miss", "hit"]);
  expect(second.body).toBe(first.body);
  expect(second.body).toBe("<p>listing #1</p>");
  expect(second.headers.get("content-type")).toBe("text/html; charset=utf-8");
  // Browsers are still told not to keep it.
  expect(second.headers.get("cache-control")).toContain("no-store");
  expect(up.seen.length).toBe(1);
  // Another address, another theme: their own renders.
  expect((await get(`${url}/list/cs.AI?date=2025-04-25`)).body).toBe("<p>listing #2</p>");
  expect((await get(`${url}/list/cs.AI?date=2025-04-28`, { cookie: "theme=dark" })).body).toBe("<p>listing #3</p>");
  expect((await get(`${url}/list/cs.AI?date=2025-04-28`, { cookie: "theme=dark" })).state).toBe("hit");
  await new Promise((r) => setTimeout(r, 500));
  const expired = await get(`${url}/list/cs.AI?date=2025-04-28`);
  expect(expired).toMatchObject({ state: "miss", body: "<p>listing #4</p>" });
  expect(cache.stats()).toMatchObject({ hits: 2, misses: 4 });
});

test("a page expired lately is served at once while one render in the background replaces it; long expired, the reader waits", async () => {
  // The stand-in answers the listing; while `held`, renders wait until released; `failing` makes them 500.
  let held: (() => void)[] | undefined;
  let failing = false;
  const up = await upstream((req, res, n) => {
    const answer = () => {
      if (failing) {
        res.writeHead(500, { "content-type": "text/plain" });
        return res.end(`failed #${n}`);
      }
      html("listing")(req, res, n);
    };
    if (held) held.push(answer);
    else answer();
  });
  const { url, cache } = await front([up.port], 300, 1_500);
  const page = `${url}/list/cs.AI?date=2025-04-28`;
  expect(await get(page)).toMatchObject({ state: "miss", body: "<p>listing #1</p>" });
  await new Promise((r) => setTimeout(r, 400));

  // Expired 100 ms ago: both readers get the kept page although the web server has not answered yet.
  held = [];
  expect(await get(page)).toMatchObject({ state: "stale", body: "<p>listing #1</p>" });
  expect(await get(page)).toMatchObject({ state: "stale", body: "<p>listing #1</p>" });
  await expect.poll(() => up.seen.length).toBe(2); // one background render for both
  for (const answer of held.splice(0)) answer();
  held = undefined;
  await expect.poll(async () => (await get(page)).body).toBe("<p>listing #2</p>");
  expect((await get(page)).state).toBe("hit");

  // A background render that fails drops the kept page: the next reader gets a fresh render.
  await new Promise((r) => setTimeout(r, 400));
  failing = true;
  expect(await get(page)).toMatchObject({ state: "stale", body: "<p>listing #2</p>" });
  await expect.poll(() => up.seen.length).toBe(3);
  await new Promise((r) => setTimeout(r, 50));
  failing = false;
  expect(await get(page)).toMatchObject({ state: "miss", body: "<p>listing #4</p>" });

  // Expired longer ago than the stale window: rendered while the reader waits.
  await new Promise((r) => setTimeout(r, 2_000));
  expect(await get(page)).toMatchObject({ state: "miss", body: "<p>listing #5</p>" });
  expect(cache.stats().misses).toBe(3);
  expect(cache.stats().stale).toBeGreaterThanOrEqual(3);
});

test("background renders take turns: one at a time by default, readers are never held for them", async () => {
  let held: (() => void)[] | undefined;
  const up = await upstream((req, res, n) => {
    const answer = () => html(req.url!)(req, res, n);
    if (held) held.push(answer);
    else answer();
  });
  const { url } = await front([up.port], 200, 5_000);
  expect((await get(`${url}/papers/a`)).state).toBe("miss");
  expect((await get(`${url}/papers/b`)).state).toBe("miss");
  await new Promise((r) => setTimeout(r, 300));
  held = [];
  expect(await get(`${url}/papers/a`)).toMatchObject({ state: "stale", body: "<p>/papers/a #1</p>" });
  expect(await get(`${url}/papers/b`)).toMatchObject({ state: "stale", body: "<p>/papers/b #2</p>" });
  await new Promise((r) => setTimeout(r, 100));
  expect(up.seen.map((r) => r.url)).toEqual(["/papers/a", "/papers/b", "/papers/a"]); // b waits its turn
  // A reader of a page not kept at all is not held behind the background render.
  const fresh = get(`${url}/papers/c`);
  await expect.poll(() => up.seen.length).toBe(4);
  for (const answer of held.splice(0)) answer();
  held = undefined;
  expect((await fresh).state).toBe("miss");
  await expect.poll(async () => (await get(`${url}/papers/a`)).state).toBe("hit");
  // Now b's refresh can start.
  expect((await get(`${url}/papers/b`)).state).toBe("stale");
  await expect.poll(async () => (await get(`${url}/papers/b`)).body).toBe("<p>/papers/b #5</p>");
});

test("a page view that failed on the server gets the error page when one is given; other answers pass as they were", async () => {
  const up = await upstream((req, res) => {
    const html = req.url !== "/papers/text" && req.url !== "/api/health";
    res.writeHead(req.url === "/papers/ok" ? 200 : 500, { "content-type": html ? "text/html; charset=utf-8" : "application/json", "content-security-policy": "default-src 'self'", "cache-control": "private, no-store" });
    res.end(html ? "<html id=\"__next_error__\"></html>" : "{}");
  });
  let down = true;
  const asked: string[] = [];
  const { url } = await front([up.port], 60_000, 0, {
    errorPage: async (req) => {
      asked.push(`${req.method} ${req.url}`);
      return down ? { status: 503, headers: { "content-type": "text/html; charset=utf-8", "retry-after": "10" }, body: "<h1>The database is unreachable</h1>" } : undefined;
    },
  });
  const cached = await get(`${url}/list/cs.AI`);
  expect(cached).toMatchObject({ status: 503, state: "miss", body: "<h1>The database is unreachable</h1>" });
  expect(cached.headers.get("retry-after")).toBe("10");
  expect(cached.headers.get("content-security-policy")).toBe("default-src 'self'"); // the web server's other headers stay
  expect(cached.headers.get("cache-control")).toBeNull();
  const signedIn = await get(`${url}/starred`, { cookie: "paper-triage.session_token=x" });
  expect(signedIn).toMatchObject({ status: 503, state: "bypass", body: "<h1>The database is unreachable</h1>" });
  // Never kept: the next reader's request reaches the web server again.
  await get(`${url}/list/cs.AI`);
  expect(up.seen.filter((r) => r.url === "/list/cs.AI")).toHaveLength(2);
  // Not asked for: success, the API, answers that are not HTML, other methods.
  expect((await get(`${url}/papers/ok`)).status).toBe(200);
  expect(await get(`${url}/api/health`)).toMatchObject({ status: 500, body: "{}" });
  expect(await get(`${url}/papers/text`)).toMatchObject({ status: 500, body: "{}" });
  const post = await fetch(`${url}/papers/x`, { method: "POST", body: "a=1" });
  expect(post.status).toBe(500);
  expect(await post.text()).toBe("<html id=\"__next_error__\"></html>");
  expect(asked).toEqual(["GET /list/cs.AI", "GET /starred", "GET /list/cs.AI"]);
  // When the error page has nothing to say, the web server's answer passes as it was.
  down = false;
  expect(await get(`${url}/search?q=x`)).toMatchObject({ status: 500, body: "<html id=\"__next_error__\"></html>" });
});

test("signed-in readers, other methods and Next's navigation requests always reach the web server", async () => {
  const up = await upstream((req, res, n) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`${req.method} ${req.url} #${n}`);
  });
  const { url } = await front([up.port]);
  const signedIn = { cookie: "paper-triage.session_token=secret" };
  expect(await get(`${url}/`, signedIn)).toMatchObject({ state: "bypass", body: "GET / #1" });
  expect(await get(`${url}/`, signedIn)).toMatchObject({ state: "bypass", body: "GET / #2" });
  expect(up.seen[1]!.headers.cookie).toBe("paper-triage.session_token=secret");
  expect(await get(`${url}/`, { rsc: "1" })).toMatchObject({ state: "bypass", body: "GET / #3" });
  expect(await get(`${url}/api/health`)).toMatchObject({ state: "bypass", body: "GET /api/health #4" });
  const post = await fetch(`${url}/papers/2104.12255`, { method: "POST", body: "a=1", headers: { "content-type": "text/plain" } });
  expect(await post.text()).toBe("POST /papers/2104.12255 #5");
  expect(up.bodies[4]).toBe("a=1");
  // The reader's address reaches the web server.
  expect(up.seen[0]!.headers["x-forwarded-for"]).toBe("127.0.0.1");
  expect(up.seen[0]!.headers["x-forwarded-host"]).toBe(new URL(url).host);
});

test("errors, answers that set cookies, big ones and pages that opt out are not kept", async () => {
  const big = "x".repeat(3 * 1024 * 1024);
  const up = await upstream((req, res, n) => {
    if (req.url === "/papers/error") {
      res.writeHead(500, { "content-type": "text/plain" });
      return res.end(`failed #${n}`);
    }
    if (req.url === "/papers/cookie") {
      res.writeHead(200, { "set-cookie": "a=1; HttpOnly" });
      return res.end(`cookie #${n}`);
    }
    if (req.url === "/papers/big") {
      res.writeHead(200, { "content-type": "text/plain" });
      return res.end(`${n}${big}`);
    }
    if (req.url === "/papers/fetching") {
      const body = `<html><head>${PAGE_CACHE_OPT_OUT}</head><body>Fetching #${n}</body></html>`;
      const gzip = req.headers["accept-encoding"] === "gzip";
      res.writeHead(200, { "content-type": "text/html", ...(gzip ? { "content-encoding": "gzip" } : {}) });
      return res.end(gzip ? gzipSync(body) : body);
    }
    res.writeHead(404);
    res.end();
  });
  const { url } = await front([up.port]);
  for (const path of ["/papers/error", "/papers/cookie", "/papers/big", "/papers/fetching"]) {
    const a = await get(`${url}${path}`);
    const b = await get(`${url}${path}`);
    expect([a.state, b.state], path).toEqual(["miss", "miss"]);
    expect(a.body).not.toBe(b.body);
  }
  expect((await get(`${url}/papers/big`)).body.length).toBe(big.length + 1);
  // The opt-out is found in a gzip body too (what browsers get).
  const [a, b] = [await get(`${url}/papers/fetching`, { "accept-encoding": "gzip" }), await get(`${url}/papers/fetching`, { "accept-encoding": "gzip" })];
  expect([a.state, b.state]).toEqual(["miss", "miss"]);
  expect(b.body).toContain("Fetching");
  expect((await get(`${url}/papers/cookie`)).headers.get("set-cookie")).toBe("a=1; HttpOnly");
});

test("gzip bodies are kept as sent and only given to readers who take gzip", async () => {
  const up = await upstream((req, res, n) => {
    const body = `<p>page #${n} for ${req.headers["accept-encoding"]}</p>`;
    if (req.headers["accept-encoding"] === "gzip") {
      res.writeHead(200, { "content-type": "text/html", "content-encoding": "gzip", vary: "Accept-Encoding" });
      return res.end(gzipSync(body));
    }
    res.writeHead(200, { "content-type": "text/html" });
    res.end(body);
  });
  const { url } = await front([up.port]);
  // fetch asks for gzip and unpacks it.
  expect((await get(`${url}/search?q=graph`)).body).toBe("<p>page #1 for gzip</p>");
  const hit = await get(`${url}/search?q=graph`);
  expect(hit).toMatchObject({ state: "hit", body: "<p>page #1 for gzip</p>" });
  expect(hit.headers.get("content-encoding")).toBe("gzip");
  // A client that takes no gzip gets its own plain render.
  expect((await get(`${url}/search?q=graph`, { "accept-encoding": "identity" })).body).toBe("<p>page #2 for identity</p>");
});

test("readers asking for the same page while it renders wait for that one render", async () => {
  const up = await upstream((_req, res, n) => setTimeout(() => html("slow")(_req, res, n), 300));
  const { url } = await front([up.port]);
  const answers = await Promise.all(Array.from({ length: 20 }, () => get(`${url}/papers/2104.12255`)));
  expect(up.seen.length).toBe(1);
  expect(new Set(answers.map((a) => a.body))).toEqual(new Set(["<p>slow #1</p>"]));
  expect(answers.filter((a) => a.state === "miss").length).toBe(1);
  expect(answers.filter((a) => a.state === "hit").length).toBe(19);
});

test("a streamed answer (server-sent events) passes through as it comes, not when it ends", async () => {
  let finish: () => void = () => {};
  const up = await upstream((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write("data: first\n\n");
    finish = () => res.end("data: last\n\n");
  });
  const { url } = await front([up.port]);
  const response = await fetch(`${url}/api/faq/2104.12255/stream`);
  const reader = response.body!.getReader();
  const first = await reader.read();
  expect(new TextDecoder().decode(first.value)).toBe("data: first\n\n");
  finish();
  let rest = "";
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
  expect(rest).toBe("data: last\n\n");
});

test("requests go to the least busy web process; a web process that is down is a 502 with words", async () => {
  const release: (() => void)[] = [];
  const slow = await upstream((_req, res) => release.push(() => html("a")(_req, res, 0)));
  const quick = await upstream(html("b"));
  const { url } = await front([slow.port, quick.port]);
  // The first goes to process a and hangs there; the next ones go to b while a is busy.
  const hanging = get(`${url}/api/health`);
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 3; i++) expect((await get(`${url}/api/health`)).body).toMatch(/^<p>b #/);
  expect(slow.seen.length).toBe(1);
  release.forEach((r) => r());
  expect((await hanging).body).toBe("<p>a #0</p>");

  const down = await upstream(html("gone"));
  await down.close();
  const lonely = await front([down.port]);
  const answer = await get(`${lonely.url}/list/cs.AI`);
  expect(answer.status).toBe(502);
  expect(answer.body).toMatch(/did not answer .*try again/);
});

test("a request body over 1 MB is refused with 413 and words, chunked or declared; smaller ones pass whole", async () => {
  const up = await upstream((_req, res, n) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`read #${n}`);
  });
  const { url } = await front([up.port]);
  const send = (headers: Record<string, string>, chunks: Buffer[]) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const request = httpRequest(`${url}/api/faq`, { method: "POST", headers }, (response) => {
        let text = "";
        response.on("data", (d: Buffer) => (text += d));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      });
      request.on("error", reject);
      for (const chunk of chunks) request.write(chunk);
      request.end();
    });
  const chunk = Buffer.alloc(64 * 1024, "x");
  const chunked = await send({ "content-type": "text/plain" }, Array.from({ length: 20 }, () => chunk));
  expect(chunked).toEqual({ status: 413, text: "The request body is too large (more than 1048576 bytes); the limit is 1048576 bytes (1 MB).\n" });
  // The web server got at most the first megabyte.
  expect(up.bodies.every((b) => b.length <= 1024 * 1024 + 64 * 1024)).toBe(true);
  const declared = await send({ "content-type": "text/plain", "content-length": String(2 * 1024 * 1024) }, [Buffer.alloc(2 * 1024 * 1024, "y")]);
  expect(declared.status).toBe(413);
  expect(declared.text).toContain("(2097152 bytes)");
  const before = up.seen.length;
  const small = await send({ "content-type": "text/plain" }, Array.from({ length: 8 }, () => chunk));
  expect(small.status).toBe(200);
  expect(up.seen.length).toBe(before + 1);
  expect(up.bodies.at(-1)!.length).toBe(8 * 64 * 1024);
});

test("a kept-alive socket the web process closed as it was reused is retried once for requests without a body", async () => {
  // A web process stand-in that answers the first request on each connection (keeping it open)
  // and drops the connection when a second one arrives on it: what a Next.js process does when a
  // kept-alive socket reaches its idle timeout just as the front reuses it.
  let answered = 0;
  const sockets = new Set<import("node:net").Socket>();
  const server = (await import("node:net")).createServer((socket) => {
    sockets.add(socket);
    let requests = 0;
    socket.on("data", (data) => {
      if (!data.includes("\r\n\r\n")) return;
      requests += 1;
      if (requests > 1) return void socket.destroy();
      answered += 1;
      const body = `<p>answer ${answered}</p>`;
      socket.write(`HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: keep-alive\r\n\r\n${body}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  opened.push({ close: () => new Promise<void>((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) });
  const port = (server.address() as AddressInfo).port;
  // No cache (ttl 0): every request passes through; then a cached render path with its own keys.
  const passing = await front([port], 0);
  for (let i = 1; i <= 3; i++) {
    const response = await fetch(`${passing.url}/_next/static/chunk-${i}.js`);
    expect(response.status, `request ${i}`).toBe(200);
    expect(await response.text()).toBe(`<p>answer ${answered}</p>`);
  }
  const caching = await front([port]);
  for (let i = 1; i <= 3; i++) {
    const response = await fetch(`${caching.url}/list/cs.CL?page=${i}`);
    expect(response.status, `render ${i}`).toBe(200);
  }
  // A body cannot be sent twice: a POST on a dropped socket is a 502 with words, as before.
  await fetch(`${passing.url}/warm`);
  const post = await fetch(`${passing.url}/api/thing`, { method: "POST", body: "x" });
  expect(post.status).toBe(502);
  expect(await post.text()).toMatch(/did not answer/);
});
