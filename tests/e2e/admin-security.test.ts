// The admin area's security, endpoint by endpoint: every admin page, route handler and server action
// (found by walking app/admin and reading the build's action manifest, so a new one without the check
// fails here) refuses a signed-out visitor and a plain reader; a cross-origin action POST is refused
// even with an administrator's cookie; a disabled account loses its session and cannot sign in.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { DISABLED_ACCOUNT_MESSAGE } from "../../lib/auth";
import { NOT_ADMIN_MESSAGE, SIGNED_OUT_MESSAGE } from "../../lib/admin/guard";
import { QueueConnection } from "../../lib/queue";
import { adminActionExports, adminActions, adminPages, adminRoutes } from "../helpers/admin-endpoints";
import { createFreshDatabase, type FreshDatabase } from "../helpers/fresh-database";
import { startWeb, type WebServer } from "../helpers/web";
import { signUpOverHttp } from "../helpers/sign-up";

const tag = randomBytes(4).toString("hex");
const adminEmail = `admin-${tag}@example.org`;
const readerEmail = `reader-${tag}@example.org`;
const victimEmail = `victim-${tag}@example.org`;
const password = "a long enough password";
const queueSchema = `admin_sec_${tag}`;

let fresh: FreshDatabase | undefined;
let databaseUrl: string;
let web: WebServer;
let sql: pg.Client;
let queues: QueueConnection;
const cookies: Record<"admin" | "reader" | "victim", string> = { admin: "", reader: "", victim: "" };

async function signUp(email: string): Promise<string> {
  return (await signUpOverHttp(web.url, email, { password, name: email.split("@")[0]! })).cookie;
}

async function sessionUser(cookie: string): Promise<{ email: string; role: string } | null> {
  const response = await fetch(`${web.url}/api/auth/get-session`, { headers: { cookie } });
  const body = (await response.json()) as { user?: { email: string; role: string } } | null;
  return body?.user ?? null;
}

/** Calls a server action the way the browser does. */
async function callAction(pageUrl: string, id: string, args: unknown[], options: { cookie?: string; origin?: string } = {}) {
  const response = await fetch(`${web.url}${pageUrl}`, {
    method: "POST",
    headers: {
      "next-action": id,
      "content-type": "text/plain;charset=UTF-8",
      accept: "text/x-component",
      origin: options.origin ?? web.url,
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    body: JSON.stringify(args),
    redirect: "manual",
  });
  const text = await response.text();
  // The RSC answer carries the action's return value as one JSON row ("1:{...}").
  const row = text.split("\n").find((line) => /^[0-9a-f]+:\{"ok":/.test(line));
  const result = row ? (JSON.parse(row.slice(row.indexOf(":") + 1)) as { ok: boolean; error?: string; message?: string }) : undefined;
  return { status: response.status, text, result };
}

const auditCount = async () => (await sql.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n as number;

beforeAll(async () => {
  fresh = await createFreshDatabase("papers_e2e_admin_sec");
  databaseUrl = fresh?.url ?? inject("databaseUrl");
  // The queues of this server live in a schema of their own: nothing here can touch another test's jobs.
  web = await startWeb({ DATABASE_URL: databaseUrl, REDIS_URL: "", QUEUE_PG_SCHEMA: queueSchema, ADMIN_EMAILS: adminEmail });
  sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  queues = new QueueConnection({ databaseUrl, pgSchema: queueSchema });
  cookies.admin = await signUp(adminEmail);
  cookies.reader = await signUp(readerEmail);
  cookies.victim = await signUp(victimEmail);
  expect(await sessionUser(cookies.admin)).toMatchObject({ role: "admin" });
  // On the shared database the first-account rule may not apply; make sure the reader is a reader.
  await sql.query(`UPDATE users SET role = 'user' WHERE email IN ($1, $2)`, [readerEmail, victimEmail]);
  expect(await sessionUser(cookies.reader)).toMatchObject({ role: "user" });
}, 120_000);

afterAll(async () => {
  await queues?.close();
  if (sql) {
    await sql.query(`DROP SCHEMA IF EXISTS ${queueSchema} CASCADE`).catch(() => undefined);
    if (!fresh) await sql.query(`DELETE FROM users WHERE email = ANY($1)`, [[adminEmail, readerEmail, victimEmail]]);
    await sql.end();
  }
  await web?.stop();
  await fresh?.drop();
});

describe("every admin endpoint checks the role on the server", () => {
  test("the walk finds the admin pages, route handlers and actions", () => {
    // A guard against a walk that silently finds nothing (then every loop below would pass vacuously).
    expect(adminPages().map((p) => p.url)).toEqual(expect.arrayContaining(["/admin", "/admin/crawl", "/admin/history", "/admin/queues", "/admin/users", "/admin/audit"]));
    expect(adminRoutes().map((r) => r.url)).toEqual(expect.arrayContaining(["/admin/api/crawl-runs", "/admin/api/embed-run"]));
    expect(adminActionExports().map((a) => a.name)).toContain("startEmbedAll");
    expect(adminActionExports().length).toBeGreaterThanOrEqual(9);
  });

  test("pages: signed out → sign-in redirect, plain reader → 403, administrator → 200", async () => {
    for (const { url, file } of adminPages()) {
      const out = await fetch(`${web.url}${url}`, { redirect: "manual" });
      expect([307, 303, 302], `${file} signed out`).toContain(out.status);
      expect(out.headers.get("location"), file).toMatch(/^(http:\/\/[^/]+)?\/sign-in\?next=%2Fadmin/);
      const reader = await fetch(`${web.url}${url}`, { headers: { cookie: cookies.reader }, redirect: "manual" });
      expect(reader.status, `${file} plain reader`).toBe(403);
      const body = await reader.text();
      expect(body).not.toContain("Crawl history</h1>");
      const admin = await fetch(`${web.url}${url}`, { headers: { cookie: cookies.admin }, redirect: "manual" });
      expect(admin.status, `${file} administrator`).toBe(200);
    }
  });

  test("route handlers: every exported method answers 401 signed out and 403 to a plain reader", async () => {
    for (const { url, file, methods } of adminRoutes()) {
      expect(methods.length, `${file} exports no HTTP method`).toBeGreaterThan(0);
      for (const method of methods) {
        const out = await fetch(`${web.url}${url}`, { method, redirect: "manual" });
        expect(out.status, `${method} ${file} signed out`).toBe(401);
        const reader = await fetch(`${web.url}${url}`, { method, headers: { cookie: cookies.reader }, redirect: "manual" });
        expect(reader.status, `${method} ${file} plain reader`).toBe(403);
      }
    }
    // And the progress route tells an administrator what is wrong with a bad request.
    const bad = await fetch(`${web.url}/admin/api/crawl-runs?ids=abc`, { headers: { cookie: cookies.admin } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: "Each id must be a crawl run id (a UUID)." });
    const none = await fetch(`${web.url}/admin/api/crawl-runs?ids=${"1".repeat(8)}-1111-4111-8111-${"1".repeat(12)}`, { headers: { cookie: cookies.admin } });
    expect(await none.json()).toEqual({ runs: [] });
    const badEmbed = await fetch(`${web.url}/admin/api/embed-run?id=42`, { headers: { cookie: cookies.admin } });
    expect(badEmbed.status).toBe(400);
    expect(await badEmbed.json()).toEqual({ error: "The id must be an embedding run id (embed-all-<uuid>)." });
    const noEmbed = await fetch(`${web.url}/admin/api/embed-run?id=embed-all-${"1".repeat(8)}-1111-4111-8111-${"1".repeat(12)}`, { headers: { cookie: cookies.admin } });
    expect(noEmbed.status).toBe(404);
  });

  test("server actions: every one refuses a signed-out visitor and a plain reader, and writes nothing", async () => {
    const before = await auditCount();
    const settingsBefore = (await sql.query(`SELECT coalesce(json_agg(s ORDER BY key), '[]') AS all FROM settings s`)).rows[0].all;
    const actions = adminActions();
    expect(actions.length).toBe(adminActionExports().length);
    for (const action of actions) {
      // Arguments that would be valid for some actions: the refusal must come before any parsing.
      const args = [{ scope: "all", queue: "embed", paused: true, userId: "x", role: "admin", disabled: true, categories: ["cs.AI"], source: "api", from: "2024-01-02", pattern: "0 5 * * *", jobId: "x" }];
      const out = await callAction(action.pageUrl, action.id, args);
      expect(out.result, `${action.file} ${action.name} signed out`).toEqual({ ok: false, error: SIGNED_OUT_MESSAGE, status: 401 });
      const reader = await callAction(action.pageUrl, action.id, args, { cookie: cookies.reader });
      expect(reader.result, `${action.file} ${action.name} plain reader`).toEqual({ ok: false, error: NOT_ADMIN_MESSAGE, status: 403 });
    }
    expect(await auditCount()).toBe(before);
    expect(await queues.queue("embed").isPaused()).toBe(false);
    expect(await queues.queue("embed").getJobs(["waiting", "active", "prioritized", "delayed"])).toEqual([]);
    const settingsAfter = (await sql.query(`SELECT coalesce(json_agg(s ORDER BY key), '[]') AS all FROM settings s`)).rows[0].all;
    expect(settingsAfter).toEqual(settingsBefore);
  });

  test("a page shows no Admin link to a plain reader, and one to an administrator", async () => {
    const reader = await (await fetch(`${web.url}/`, { headers: { cookie: cookies.reader } })).text();
    expect(reader).not.toMatch(/href="\/admin"/);
    const admin = await (await fetch(`${web.url}/`, { headers: { cookie: cookies.admin } })).text();
    expect(admin).toMatch(/href="\/admin"/);
  });
});

test("a cross-origin action POST is refused even with an administrator's cookie; the same-origin one works", async () => {
  const pause = adminActions().find((a) => a.name === "pauseOrResumeQueue")!;
  const before = await auditCount();
  const forged = await callAction(pause.pageUrl, pause.id, [{ queue: "embed", paused: true }], { cookie: cookies.admin, origin: "http://evil.example" });
  expect(forged.status).toBeGreaterThanOrEqual(400);
  expect(forged.result).toBeUndefined();
  expect(await queues.queue("embed").isPaused()).toBe(false);
  expect(await auditCount()).toBe(before);

  const real = await callAction(pause.pageUrl, pause.id, [{ queue: "embed", paused: true }], { cookie: cookies.admin });
  expect(real.status).toBe(200);
  expect(real.text).toContain("The embed queue is paused");
  expect(await queues.queue("embed").isPaused()).toBe(true);
  const resume = await callAction(pause.pageUrl, pause.id, [{ queue: "embed", paused: false }], { cookie: cookies.admin });
  expect(resume.text).toContain("running again");
  expect(await queues.queue("embed").isPaused()).toBe(false);
  const audit = await sql.query(`SELECT action, target FROM audit_log ORDER BY created_at DESC LIMIT 2`);
  expect(audit.rows).toEqual([{ action: "queue.resume", target: "embed" }, { action: "queue.pause", target: "embed" }]);
});

test("bad input gets a clear message from the action (zod), and nothing is queued", async () => {
  const recrawl = adminActions().find((a) => a.name === "recrawl")!;
  const cases: [unknown, string][] = [
    [{ categories: ["cs.NOPE"], source: "api", from: "2024-03-01" }, 'Not an arXiv category: "cs.NOPE".'],
    [{ categories: ["cs.AI"], source: "api", from: "2024-03-10", to: "2024-03-01" }, "The range is inverted: 2024-03-10 is after 2024-03-01."],
    [{ categories: ["cs.AI"], source: "api", from: "2024-01-01", to: "2024-03-01" }, "The range is too large: 61 days; at most 31 per re-crawl."],
  ];
  for (const [input, message] of cases) {
    const answer = await callAction(recrawl.pageUrl, recrawl.id, [input], { cookie: cookies.admin });
    expect(answer.result).toEqual({ ok: false, error: message, status: 400 });
  }
  const runs = await sql.query(`SELECT count(*)::int AS n FROM crawl_runs WHERE trigger = 'admin'`);
  expect(runs.rows[0].n).toBe(0);
});

test("disabling an account ends its session and refuses its sign-in; the last admin cannot be disabled", async () => {
  expect(await sessionUser(cookies.victim)).toMatchObject({ email: victimEmail });
  const disable = adminActions().find((a) => a.name === "setUserDisabledAction")!;
  const victimId = (await sql.query(`SELECT id FROM users WHERE email = $1`, [victimEmail])).rows[0].id as string;
  const answer = await callAction(disable.pageUrl, disable.id, [{ userId: victimId, disabled: true }], { cookie: cookies.admin });
  expect(answer.text).toContain("is disabled and signed out everywhere");
  expect(await sessionUser(cookies.victim)).toBeNull();
  const signIn = await fetch(`${web.url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email: victimEmail, password }),
  });
  expect(signIn.status).toBe(403);
  expect(await signIn.text()).toContain(DISABLED_ACCOUNT_MESSAGE);

  // Only one active administrator here when the database is this test's own.
  if (fresh) {
    const adminId = (await sql.query(`SELECT id FROM users WHERE email = $1`, [adminEmail])).rows[0].id as string;
    const self = await callAction(disable.pageUrl, disable.id, [{ userId: adminId, disabled: true }], { cookie: cookies.admin });
    expect(self.text).toContain("This is the last active administrator");
    expect(await sessionUser(cookies.admin)).toMatchObject({ role: "admin" });
  }
});
