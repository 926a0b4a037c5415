// Security basics, measured on the production server in a real Chromium:
// - every response carries the security headers (CSP, nosniff, Referrer-Policy, frame-ancestors);
// - the pages run under that CSP with no violation (Next's own scripts and styles, MathML math);
// - through the web front every render gets a script nonce of its own, so an inline script without
//   it does not run (with `next start` alone, 'unsafe-inline' lets it run: the control);
// - session cookies are HttpOnly + SameSite=Lax, and Secure (with the __Secure- prefix) when the app
//   is served over https;
// - no secret (AUTH_SECRET, OPENAI_API_KEY, the database password) appears in any HTML, JavaScript or
//   JSON sent to the browser, nor in the web server's or the worker's logs.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";
import { killHard, startPrivateRedis, startWorker } from "./support";

const AUTH_SECRET = `auth-${randomBytes(24).toString("hex")}`;
const OPENAI_API_KEY = `sk-test-${randomBytes(16).toString("hex")}`;
const DB_PASSWORD = `pw${randomBytes(12).toString("hex")}`;
const SECRETS = [AUTH_SECRET, OPENAI_API_KEY, DB_PASSWORD];

/** The test database's URL with a password in it (the local server trusts, so any password connects). */
function databaseUrlWithPassword(): string {
  const url = new URL(inject("databaseUrl"));
  url.password = DB_PASSWORD;
  return url.toString();
}

const paperId = randomPaperId();
const day = randomDay();
let web: WebServer;

beforeAll(async () => {
  await seedListing(
    [entry({ id: paperId, title: `Mathematics under a CSP (${paperId})`, abstract: "It runs in $O(n \\log n)$ time, with $$\\sum_{i=1}^n x_i^2$$ as the bound." })],
    ["cs.CL"],
    day,
  );
  web = await startWeb({
    DATABASE_URL: databaseUrlWithPassword(),
    AUTH_SECRET,
    OPENAI_API_KEY,
    OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
    LOG_LEVEL: "debug",
  }, { front: true }); // as `npm start` and Compose run it: Next.js behind the web front
});

afterAll(async () => {
  await web?.stop();
});

const PAGES = () => ["/", `/list/cs.CL?date=${day}`, `/papers/${paperId}`, "/search?q=mathematics", "/sign-in", "/sign-up", "/no-such-page"];

test("every response carries the security headers", async () => {
  for (const path of [...PAGES(), "/api/health", `/list/cs.CL/feed`, "/icon.svg"]) {
    const response = await fetch(`${web.url}${path}`);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp, path).toContain("default-src 'self'");
    expect(csp, path).toContain("frame-ancestors 'none'");
    expect(csp, path).toContain("object-src 'none'");
    expect(csp, path).not.toContain("unsafe-eval");
    expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
    expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("x-frame-options"), path).toBe("DENY");
    expect(response.headers.get("x-powered-by"), path).toBeNull();
  }
});

test.skipIf(!hasChromium)("the pages run under the CSP without a single violation, math included", { timeout: 90_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute|connect)/i.test(m.text())) violations.push(m.text());
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        const w = window as unknown as { __cspViolations?: string[] };
        (w.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
    });
    for (const path of PAGES()) {
      await page.goto(`${web.url}${path}`, { waitUntil: "networkidle" });
      const seen = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
      violations.push(...seen.map((v) => `${path}: ${v}`));
      // Hydrated: React attached its handlers (the theme toggle is a client component on every page).
      await page.locator("header button").first().waitFor();
    }
    // The paper page's math is MathML with its inline styles, laid out by the browser as math: the
    // superscript of x_i^2 sits above its base.
    await page.goto(`${web.url}/papers/${paperId}`, { waitUntil: "networkidle" });
    expect(await page.locator("math").count()).toBeGreaterThan(0);
    const raised = await page.locator("math msubsup").first().evaluate((s) => {
      const [base, , sup] = [...s.children].map((c) => c.getBoundingClientRect());
      return base!.top - sup!.top;
    });
    expect(raised).toBeGreaterThan(2);
    expect(violations).toEqual([]);

    // The detector itself works: an image from another origin is a violation it reports.
    await page.evaluate(() => {
      const img = document.createElement("img");
      img.src = "http://198.51.100.1/pixel.png";
      document.body.append(img);
    });
    await expect
      .poll(() => page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []))
      .toEqual([expect.stringContaining("img-src")]);
  } finally {
    await browser.close();
  }
});

const nonceOf = (csp: string | null) => /script-src[^;]*'nonce-([A-Za-z0-9+/=]+)'/.exec(csp ?? "")?.[1];
const scriptTags = (html: string) => html.match(/<script\b[^>]*>/g) ?? [];

test("through the web front every render has its own script nonce, on every script tag; a kept page keeps its own", async () => {
  // A session cookie on a page that is the reader's own (search; a listing would be the kept page
  // with the reader's parts put in): rendered for this request and never kept.
  const rendered = () => fetch(`${web.url}/search?q=nonce`, { headers: { cookie: "paper-triage.session_token=unknown" } });
  const [a, b] = [await rendered(), await rendered()];
  const [nonceA, nonceB] = [nonceOf(a.headers.get("content-security-policy")), nonceOf(b.headers.get("content-security-policy"))];
  expect(nonceA).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(nonceB).toBeDefined();
  expect(nonceA).not.toBe(nonceB);
  const tags = scriptTags(await a.text());
  expect(tags.length).toBeGreaterThan(3);
  for (const tag of tags) expect(tag).toContain(`nonce="${nonceA}"`);
  // A client cannot choose the nonce: its own CSP request header is dropped.
  const forced = await fetch(`${web.url}/search?q=nonce-${randomBytes(3).toString("hex")}`, { headers: { "content-security-policy": "script-src 'nonce-Y2hvc2Vu'" } });
  expect(await forced.text()).not.toContain('nonce="Y2hvc2Vu"');
  // Signed out: kept by the page cache; every reader of that render gets its nonce with it.
  const address = `${web.url}/search?q=kept-${randomBytes(3).toString("hex")}`;
  const first = await fetch(address);
  const second = await fetch(address);
  expect([first.headers.get("x-page-cache"), second.headers.get("x-page-cache")]).toEqual(["miss", "hit"]);
  const kept = nonceOf(second.headers.get("content-security-policy"));
  expect(kept).toBe(nonceOf(first.headers.get("content-security-policy")));
  for (const tag of scriptTags(await second.text())) expect(tag).toContain(`nonce="${kept}"`);
});

test.skipIf(!hasChromium)("an inline script without the nonce does not run through the web front; with next start alone it would", { timeout: 90_000 }, async () => {
  const direct = await startWeb({ DATABASE_URL: databaseUrlWithPassword(), AUTH_SECRET });
  const browser = await launchBrowser();
  try {
    const injected = async (base: string) => {
      const page = await browser.newPage();
      await page.goto(`${base}/list/cs.CL?date=${day}`, { waitUntil: "networkidle" });
      await page.locator("header button").first().waitFor(); // hydrated: Next's own scripts ran
      await page.evaluate(() => {
        const script = document.createElement("script");
        script.textContent = "window.__inlineRan = true";
        document.head.append(script);
      });
      const ran = await page.evaluate(() => (window as unknown as { __inlineRan?: boolean }).__inlineRan === true);
      await page.close();
      return ran;
    };
    expect(await injected(web.url)).toBe(false);
    expect(await injected(direct.url)).toBe(true);
  } finally {
    await browser.close();
    await direct.stop();
  }
});

/** Signs up a new account through better-auth's endpoint; returns the Set-Cookie headers. */
async function signUp(base: string, origin: string): Promise<string[]> {
  const email = `cookie-${randomBytes(4).toString("hex")}@example.org`;
  const { response } = await signUpOverHttp(base, email, { password: "a long enough password", name: email, origin });
  return response.headers.getSetCookie();
}

test("session cookies: HttpOnly and SameSite=Lax over http; also Secure with the __Secure- prefix over https", async () => {
  const plain = await signUp(web.url, web.url);
  const session = plain.find((c) => c.startsWith("paper-triage.session_token="));
  expect(session, plain.join("\n")).toBeDefined();
  expect(session).toMatch(/;\s*HttpOnly/i);
  expect(session).toMatch(/;\s*SameSite=Lax/i);
  expect(session).toMatch(/;\s*Path=\//i);
  expect(session).not.toMatch(/;\s*Secure/i);

  // Behind an https proxy (PUBLIC_URL https://...): the same server marks every cookie Secure.
  const https = await startWeb({ PUBLIC_URL: "https://papers.example.org", AUTH_SECRET });
  try {
    const secure = await signUp(https.url, "https://papers.example.org");
    const token = secure.find((c) => c.startsWith("__Secure-paper-triage.session_token="));
    expect(token, secure.join("\n")).toBeDefined();
    expect(token).toMatch(/;\s*Secure/i);
    expect(token).toMatch(/;\s*HttpOnly/i);
    expect(token).toMatch(/;\s*SameSite=Lax/i);
  } finally {
    await https.stop();
  }
});

test("no secret reaches the browser (HTML, JavaScript, JSON) or the logs", { timeout: 120_000 }, async () => {
  const bodies: string[] = [];
  const scripts = new Set<string>();
  for (const path of [...PAGES(), "/api/health", "/list/cs.CL/feed", "/search/feed?q=mathematics", "/starred/export"]) {
    const text = await (await fetch(`${web.url}${path}`)).text();
    bodies.push(text);
    for (const m of text.matchAll(/\/_next\/static\/[^"'\s)\\]+\.js/g)) scripts.add(m[0]);
  }
  expect(scripts.size).toBeGreaterThan(3);
  for (const src of scripts) bodies.push(await (await fetch(`${web.url}${src}`)).text());
  // A failed sign-in and a FAQ request with an unreachable LLM make the server log something.
  await fetch(`${web.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email: "nobody@example.org", password: "wrong password!" }),
  });
  bodies.push(await (await fetch(`${web.url}/api/faq`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ paperId, language: "en" }) })).text());

  // The worker process too: it logs where its queue and database are.
  const redis = await startPrivateRedis();
  const worker = await startWorker({ DATABASE_URL: databaseUrlWithPassword(), REDIS_URL: redis.url, AUTH_SECRET, OPENAI_API_KEY, OPENAI_BASE_URL: "http://127.0.0.1:9/v1", LOG_LEVEL: "debug" });
  await killHard(worker);
  await redis.stop();

  const everything = [...bodies, web.output(), worker.output()].join("\n");
  expect(web.output().length + worker.output().length).toBeGreaterThan(0);
  for (const secret of SECRETS) expect(everything.includes(secret), `a secret appeared: ${secret.slice(0, 6)}…`).toBe(false);
});
