// Fault matrix item 9: oversized requests are refused with a clear status (413 for bodies over 1 MB,
// from proxy.ts, and from the page cache in front of Next.js for chunked bodies; 431 for headers and
// addresses, from Node; 400 for fields over their limits) and
// the server keeps answering. The app
// takes no file uploads (history imports run from the command line), so bodies are the JSON and
// form posts it does take: server actions, /api/faq, and the account endpoints.
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ROOT } from "../../lib/build";
import { startWeb, type WebServer } from "../helpers/web";

let web: WebServer;
beforeAll(async () => {
  web = await startWeb();
});
afterAll(async () => {
  await web?.stop();
});

const MB = 1024 * 1024;

/** The id Next gave the star action in this build (the browser sends it in the Next-Action header). */
function starActionId(): string {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string }>;
  };
  const found = Object.entries(manifest.node).find(([, v]) => v.filename === "app/stars/actions.ts");
  if (!found) throw new Error("no server action from app/stars/actions.ts in the build's manifest");
  return found[0];
}

async function stillAnswering() {
  expect((await fetch(`${web.url}/api/health`)).status).toBeLessThan(600);
  expect((await fetch(`${web.url}/search?q=attention`)).status).toBe(200);
}

/**
 * POSTs `body` with node:http and resolves with the answer as soon as it comes: a server that
 * refuses early closes the connection while the client is still writing, which fetch reports as
 * a network error instead of the status it did receive. A string goes with its Content-Length; an
 * array of strings goes in chunks without one (Transfer-Encoding: chunked).
 */
function post(url: string, headers: Record<string, string>, body: string | string[]): Promise<{ status: number; text: string }> {
  const chunked = Array.isArray(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: chunked ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) } }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (d: string) => (text += d));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      response.on("error", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on("error", (error) => reject(error));
    if (chunked) {
      expect(request.getHeader("content-length")).toBeUndefined();
      for (const chunk of body) request.write(chunk);
      request.end();
    } else request.end(body);
  });
}

test("a server action body over 1 MB is refused with 413 and words", async () => {
  const response = await post(
    `${web.url}/`,
    { "content-type": "text/plain;charset=UTF-8", "next-action": starActionId(), origin: web.url, accept: "text/x-component" },
    JSON.stringify(["2104.12255", true, "x".repeat(3 * MB)]),
  );
  expect(response.status).toBe(413);
  expect(response.text).toContain("too large");
  await stillAnswering();
});

test("a 5 MB body to /api/faq and to sign-up is refused with 413, nothing is stored, and the server carries on", async () => {
  const faq = await post(`${web.url}/api/faq`, { "content-type": "application/json" }, JSON.stringify({ paperId: "x".repeat(5 * MB), language: "en" }));
  expect(faq.status).toBe(413);
  expect(faq.text).toContain("the limit is 1048576 bytes");

  const email = `big-${Date.now()}@example.org`;
  const signUp = await post(
    `${web.url}/api/auth/sign-up/email`,
    { "content-type": "application/json", origin: web.url },
    JSON.stringify({ email, password: "p".repeat(5 * MB), name: "Big" }),
  );
  expect(signUp.status).toBe(413);
  // Just under the limit: refused by the form's own rule (passwords of at most 128 characters), 400.
  const underLimit = await post(
    `${web.url}/api/auth/sign-up/email`,
    { "content-type": "application/json", origin: web.url },
    JSON.stringify({ email, password: "p".repeat(MB / 2), name: "Big" }),
  );
  expect(underLimit.status).toBe(400);
  const again = await fetch(`${web.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email, password: "p".repeat(20) }),
  });
  expect(again.status).toBeGreaterThanOrEqual(400); // no account was made
  await stillAnswering();
});

test("a chunked body (no Content-Length) over 1 MB to /api/faq is refused with 413; a small chunked one is read", async () => {
  const json = JSON.stringify({ paperId: "x".repeat(3 * MB), language: "en" });
  const chunks = Array.from({ length: Math.ceil(json.length / (64 * 1024)) }, (_, i) => json.slice(i * 64 * 1024, (i + 1) * 64 * 1024));
  const big = await post(`${web.url}/api/faq`, { "content-type": "application/json" }, chunks);
  expect(big.status).toBe(413);
  expect(big.text).toContain("the limit is 1048576 bytes");
  // The same route still reads a chunked body under the limit: a paper id that is not one gets its 400.
  const small = await post(`${web.url}/api/faq`, { "content-type": "application/json" }, ['{"paperId": "not', ' an id", "language": "en"}']);
  expect(small.status).toBe(400);
  expect(small.text).toContain("is not an arXiv id");
  await stillAnswering();
});

test("an address or headers over Node's 16 KB limit get 431", async () => {
  const longUrl = await fetch(`${web.url}/search?q=${"a".repeat(64 * 1024)}`);
  expect(longUrl.status).toBe(431);
  const bigCookie = await fetch(`${web.url}/`, { headers: { cookie: `junk=${"c".repeat(32 * 1024)}` } });
  expect(bigCookie.status).toBe(431);
  await stillAnswering();
});

test("fields over their limits get 400 with words, not 500", async () => {
  const search = await fetch(`${web.url}/search/feed?q=${"a".repeat(2_000)}`);
  expect(search.status).toBe(400);
  expect(await search.text()).toMatch(/too long/);
  const faq = await fetch(`${web.url}/api/faq`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
  expect(faq.status).toBe(400);
  await stillAnswering();
});

test("through the page cache (as `npm start` runs the web server), chunked bodies over 1 MB are refused with 413 too: server actions and sign-up", async () => {
  const front = await startWeb({ WEB_PROCESSES: "1" }, { front: true });
  try {
    const chunksOf = (text: string) => Array.from({ length: Math.ceil(text.length / (64 * 1024)) }, (_, i) => text.slice(i * 64 * 1024, (i + 1) * 64 * 1024));
    const action = await post(
      `${front.url}/`,
      { "content-type": "text/plain;charset=UTF-8", "next-action": starActionId(), origin: front.url, accept: "text/x-component" },
      chunksOf(JSON.stringify(["2104.12255", true, "x".repeat(3 * MB)])),
    );
    expect(action.status).toBe(413);
    expect(action.text).toContain("The request body is too large (more than 1048576 bytes)");
    const signUp = await post(
      `${front.url}/api/auth/sign-up/email`,
      { "content-type": "application/json", origin: front.url },
      chunksOf(JSON.stringify({ email: `chunked-${Date.now()}@example.org`, password: "p".repeat(3 * MB), name: "Big" })),
    );
    expect(signUp.status).toBe(413);
    // Declared lengths are refused before anything is sent on.
    const declared = await post(`${front.url}/api/faq`, { "content-type": "application/json" }, JSON.stringify({ paperId: "x".repeat(2 * MB), language: "en" }));
    expect(declared.status).toBe(413);
    expect(declared.text).toContain("the limit is 1048576 bytes");
    // Small chunked bodies pass through and are read.
    const small = await post(`${front.url}/api/faq`, { "content-type": "application/json" }, ['{"paperId": "not', ' an id", "language": "en"}']);
    expect(small.status).toBe(400);
    expect(small.text).toContain("is not an arXiv id");
    expect((await fetch(`${front.url}/search?q=attention`)).status).toBe(200);
  } finally {
    await front.stop();
  }
});
