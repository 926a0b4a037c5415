// Accounts against the real server (`next start`): who becomes administrator (on a database of this
// file's own, since "first account" depends on the whole users table), sign-in failures, disabled
// accounts, `next=` redirects that stay on the site, and requests from other sites refused.
import { randomBytes, randomInt } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { ROOT } from "../../lib/build";
import { describeAuthError } from "../../lib/auth-client";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { startWeb, type WebServer } from "../helpers/web";

const tag = randomBytes(4).toString("hex");
const secret = randomBytes(32).toString("hex");
const password = "correct horse battery staple";
const bossEmail = `boss-${tag}@example.org`;
const lateEmail = `late-${tag}@example.org`;
const EVIL = "https://evil.example";

let fresh: FreshDatabase | undefined;
let web: WebServer;
let database: pg.Client;
let paperId: string;

beforeAll(async () => {
  fresh = await createFreshDatabase("papers_auth");
  if (!fresh && process.env.CI) throw new Error("CI must run these tests on PostgreSQL (adminDatabaseUrl is undefined)");
  const url = fresh?.url ?? inject("databaseUrl");
  web = await startWeb({ DATABASE_URL: url, AUTH_SECRET: secret, ADMIN_EMAILS: `someone-else@example.org, ${bossEmail.toUpperCase()} ,${lateEmail}` });
  database = new pg.Client({ connectionString: url });
  await database.connect();
  paperId = `${16 + randomInt(10)}${String(1 + randomInt(12)).padStart(2, "0")}.${String(randomInt(100_000)).padStart(5, "0")}`;
  await database.query(
    `INSERT INTO papers (id, latest_version, title, abstract, authors, primary_category, categories, updated_at)
     VALUES ($1, 1, 'A paper to star', 'Abstract.', '{"Ada Lovelace"}', 'cs.CL', '{cs.CL}', now()) ON CONFLICT DO NOTHING`,
    [paperId],
  );
}, 120_000);

afterAll(async () => {
  await database?.query(`DELETE FROM papers WHERE id = $1`, [paperId]).catch(() => undefined);
  await database?.end();
  await web?.stop();
  await fresh?.drop();
});

// ── helpers: what the browser client sends ──

interface Answer {
  status: number;
  body: { code?: string; message?: string; user?: { role?: string; email?: string } } | null;
  cookie: string;
  setCookies: string[];
}

async function post(route: string, body: unknown, options: { cookie?: string; origin?: string } = {}): Promise<Answer> {
  const response = await fetch(`${web.url}${route}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: options.origin ?? web.url,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: JSON.stringify(body),
    redirect: "manual",
  });
  const setCookies = response.headers.getSetCookie();
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    cookie: setCookies.map((c) => c.split(";")[0]).join("; "),
    setCookies,
  };
}

const signUp = (email: string, pw = password) => post("/api/auth/sign-up/email", { email, password: pw, name: email.split("@")[0] });
const signIn = (email: string, pw = password, origin?: string) => post("/api/auth/sign-in/email", { email, password: pw }, { origin });

async function sessionUser(cookie: string): Promise<{ email: string; role: string } | null> {
  const response = await fetch(`${web.url}/api/auth/get-session`, { headers: { cookie } });
  const body = (await response.json()) as { user?: { email: string; role: string } } | null;
  return body?.user ?? null;
}

async function page(route: string, cookie?: string): Promise<Response> {
  return fetch(`${web.url}${route}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

const email = (name: string) => `${name}-${tag}@example.org`;

// ── who is administrator ──

describe.skipIf(!inject("adminDatabaseUrl") && !process.env.CI)("administrators (on a fresh database)", () => {
  test("the first account becomes administrator, the next ones do not, ADMIN_EMAILS always does", async () => {
    expect(await (await page("/sign-up")).text()).toContain("The first account becomes the administrator");

    const first = await signUp(email("first"));
    expect(first.status).toBe(200);
    expect(await sessionUser(first.cookie)).toMatchObject({ email: email("first"), role: "admin" });
    expect(await (await page("/sign-up")).text()).not.toContain("The first account becomes the administrator");

    const second = await signUp(email("second"));
    expect(second.status).toBe(200);
    expect(await sessionUser(second.cookie)).toMatchObject({ role: "user" });

    // Listed addresses match whatever their case.
    const boss = await signUp(bossEmail.replace("boss", "BoSS"));
    expect(await sessionUser(boss.cookie)).toMatchObject({ email: bossEmail, role: "admin" });

    // An address added to ADMIN_EMAILS after its account existed: administrator from the next sign-in.
    const before = await signUp(email("renamed"));
    await database.query(`UPDATE users SET email = $1 WHERE email = $2`, [lateEmail, email("renamed")]);
    expect(await sessionUser(before.cookie)).toMatchObject({ email: lateEmail, role: "user" });
    const after = await signIn(lateEmail);
    expect(after.status).toBe(200);
    expect(await sessionUser(after.cookie)).toMatchObject({ role: "admin" });

    // The header says so.
    const home = await (await page("/", first.cookie)).text();
    expect(home).toContain(email("first"));
    expect(home).toMatch(/class="role-badge"[^>]*>Admin</);
    expect(await (await page("/", second.cookie)).text()).not.toContain('class="role-badge"');
  });

  test("two first sign-ups at the same moment make exactly one administrator", async () => {
    for (let round = 0; round < 1; round++) {
      // Back to "no administrator yet" (this database is this file's own).
      await database.query(`UPDATE users SET role = 'user'`);
      const results = await Promise.all([signUp(email(`race${round}a`)), signUp(email(`race${round}b`))]);
      expect(results.map((r) => r.status)).toEqual([200, 200]);
      const { rows } = await database.query<{ email: string }>(`SELECT email FROM users WHERE role = 'admin'`);
      expect(rows).toHaveLength(1);
      expect([email(`race${round}a`), email(`race${round}b`)]).toContain(rows[0]!.email);
    }
  });
});

// ── signing in ──

test("session cookies are HttpOnly, SameSite=Lax, and not Secure on a plain-http address", async () => {
  const account = await signUp(email("cookies"));
  expect(account.status).toBe(200);
  const session = account.setCookies.find((c) => c.startsWith("paper-triage.session_token="));
  expect(session).toBeDefined();
  expect(session).toMatch(/HttpOnly/i);
  expect(session).toMatch(/SameSite=Lax/i);
  expect(session).not.toMatch(/;\s*Secure/i);
});

test("a wrong password is refused, and the page says so in words", async () => {
  const account = await signIn(email("cookies"), "not the password");
  expect(account.status).toBe(401);
  expect(account.body?.code).toBe("INVALID_EMAIL_OR_PASSWORD");
  expect(account.cookie).toBe("");
  expect(describeAuthError({ status: account.status, code: account.body?.code }, { minPassword: 8, maxPassword: 128 })).toMatch(
    /^Wrong e-mail address or password/,
  );

  const taken = await signUp(email("cookies"));
  expect(taken.body?.code).toMatch(/^USER_ALREADY_EXISTS/);
  expect(describeAuthError({ status: taken.status, code: taken.body?.code }, { minPassword: 8, maxPassword: 128 })).toMatch(/already exists/);

  const short = await signUp(email("short"), "short");
  expect(short.status).toBe(400);
  expect(short.body?.code).toBe("PASSWORD_TOO_SHORT");
  expect(describeAuthError({ status: short.status, code: short.body?.code }, { minPassword: 8, maxPassword: 128 })).toMatch(/at least 8 characters/);
});

test("a disabled account cannot sign in, and its open session stops counting", async () => {
  const account = await signUp(email("disabled"));
  expect(account.status).toBe(200);
  await database.query(`UPDATE users SET banned = true, ban_reason = 'test' WHERE email = $1`, [email("disabled")]);

  const again = await signIn(email("disabled"));
  expect(again.status).toBe(403);
  expect(again.body?.code).toBe("BANNED_USER");
  expect(again.body?.message).toBe("This account has been disabled by an administrator.");

  // The session from before: pages treat it as signed out.
  const starred = await page("/starred", account.cookie);
  expect(starred.status).toBe(307);
  expect(starred.headers.get("location")).toBe("/sign-in?next=%2Fstarred");
});

test("next= leads only to paths on this site", async () => {
  const { cookie } = await signIn(email("cookies"));
  expect(cookie).not.toBe("");
  const cases: [string, string][] = [
    ["/starred?cursor=abc", "/starred?cursor=abc"],
    ["/list/cs.CL#top", "/list/cs.CL#top"],
    ["//evil.example/steal", "/"],
    ["///evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/", "/"],
    ["http:evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["/%0d%0aLocation:%20https://evil.example", "/%0d%0aLocation:%20https://evil.example"],
    ["", "/"],
  ];
  for (const [next, expected] of cases) {
    const response = await page(`/sign-in?next=${encodeURIComponent(next)}`, cookie);
    expect(response.status, next).toBe(307);
    const location = response.headers.get("location")!;
    expect(new URL(location, web.url).origin, next).toBe(web.url);
    expect(location, next).toBe(expected);
  }
  // Signed out, the form is handed only the checked target (the page's own URL is in the payload too).
  const html = await (await page(`/sign-in?next=${encodeURIComponent("//evil.example/x")}`)).text();
  expect(html).toContain(String.raw`\"next\":\"/\",`);
  expect(html).not.toMatch(/\\"next\\":\\"[^"\\]*evil/);
});

// ── other sites ──

async function toggleStarActionId(): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, ".next/server/server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, v]) => v.filename === "app/stars/actions.ts" && v.exportedName === "toggleStar");
  if (!entry) throw new Error("toggleStar is not in the server action manifest");
  return entry[0];
}

async function callToggleStar(args: [string, boolean], options: { cookie?: string; origin: string }): Promise<{ status: number; text: string }> {
  const response = await fetch(`${web.url}/`, {
    method: "POST",
    headers: {
      "next-action": await toggleStarActionId(),
      accept: "text/x-component",
      "content-type": "text/plain;charset=UTF-8",
      origin: options.origin,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: JSON.stringify(args),
    redirect: "manual",
  });
  return { status: response.status, text: await response.text() };
}

const starCount = async (userEmail: string) =>
  Number(
    (
      await database.query(
        `SELECT count(*) FROM stars s JOIN users u ON u.id = s.user_id WHERE u.email = $1 AND s.paper_id = $2`,
        [userEmail, paperId],
      )
    ).rows[0].count,
  );

test("requests from another site are refused: sign-in, sign-out and the star action", async () => {
  // Sign-in posted from another site's page: refused, no cookie.
  const forged = await signIn(email("cookies"), password, EVIL);
  expect(forged.status).toBe(403);
  expect(forged.cookie).toBe("");

  const { cookie } = await signIn(email("cookies"));
  // Sign-out from another site: refused, the session stays.
  const signOut = await post("/api/auth/sign-out", {}, { cookie, origin: EVIL });
  expect(signOut.status).toBe(403);
  expect(await sessionUser(cookie)).toMatchObject({ email: email("cookies") });

  // The star action from another site: nothing is written.
  const crossSite = await callToggleStar([paperId, true], { cookie, origin: EVIL });
  expect(crossSite.status).not.toBe(200);
  expect(await starCount(email("cookies"))).toBe(0);

  // The same request from this site works, so the refusal above was about the origin.
  const sameSite = await callToggleStar([paperId, true], { cookie, origin: web.url });
  expect(sameSite.status).toBe(200);
  expect(sameSite.text).toContain('"starred":true');
  expect(await starCount(email("cookies"))).toBe(1);

  // Signed out, the action answers with a sentence rather than failing.
  const signedOut = await callToggleStar([paperId, true], { origin: web.url });
  expect(signedOut.status).toBe(200);
  expect(signedOut.text).toContain("Sign in to star papers");

  // Input that is not an arXiv id, or a paper that does not exist: a sentence too.
  expect((await callToggleStar(["../../etc/passwd", true], { cookie, origin: web.url })).text).toContain("not an arXiv id");
  expect((await callToggleStar(["0704.0000", true], { cookie, origin: web.url })).text).toContain("is not in this library");

  const unstar = await callToggleStar([paperId, false], { cookie, origin: web.url });
  expect(unstar.text).toContain('"starred":false');
  expect(await starCount(email("cookies"))).toBe(0);
});

test("exports need a session and answer 401 in words without one", async () => {
  const anonymous = await page("/starred/export?format=csv");
  expect(anonymous.status).toBe(401);
  expect(await anonymous.text()).toMatch(/Sign in to export/);

  const { cookie } = await signIn(email("cookies"));
  await callToggleStar([paperId, true], { cookie, origin: web.url });
  const csv = await page("/starred/export?format=csv", cookie);
  expect(csv.status).toBe(200);
  expect(csv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(csv.headers.get("content-disposition")).toBe('attachment; filename="starred-papers.csv"');
  const lines = (await csv.text()).trim().split("\r\n");
  expect(lines[0]).toBe("id,version,title,authors,categories,published,url,labels,note");
  expect(lines[1]).toBe(`${paperId},1,A paper to star,Ada Lovelace,cs.CL,,https://arxiv.org/abs/${paperId}v1,,`);

  const bib = await page("/starred/export?format=bibtex", cookie);
  expect(bib.headers.get("content-type")).toBe("application/x-bibtex; charset=utf-8");
  expect(bib.headers.get("content-disposition")).toBe('attachment; filename="starred-papers.bib"');
  expect(await bib.text()).toContain(`eprint = {${paperId}}`);

  expect((await page("/starred/export?format=docx", cookie)).status).toBe(400);
  await callToggleStar([paperId, false], { cookie, origin: web.url });
});

test("without AUTH_SECRET a production server never guesses one: browsing works, accounts say what is missing", async () => {
  const bare = await startWeb({ DATABASE_URL: fresh?.url ?? inject("databaseUrl"), AUTH_SECRET: "" });
  try {
    const home = await fetch(`${bare.url}/`);
    expect(home.status).toBe(200);
    expect(await home.text()).toContain(">Sign in<");

    const signInPage = await (await fetch(`${bare.url}/sign-in`)).text();
    expect(signInPage).toContain("Accounts are not available");
    expect(signInPage).toContain("AUTH_SECRET is not set");

    const api = await fetch(`${bare.url}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: bare.url },
      body: JSON.stringify({ email: email("nosecret"), password, name: "x" }),
    });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { message: string }).message).toMatch(/^AUTH_SECRET is not set/);
    expect(bare.output()).toContain("AUTH_SECRET is not set");
  } finally {
    await bare.stop();
  }
}, 90_000);
