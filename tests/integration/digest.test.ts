// Daily digests against real servers: an SMTP server (smtp-server, messages parsed with mailparser)
// and an HTTP webhook receiver on 127.0.0.1, the real database, and the app's own digest code
// (lib/digest/send.ts, the digest job processor on a real queue). Scores are the app's: topics here
// have keywords and no trained model, so a paper with the keyword in its title scores 1 and one
// without 0 (a keyword only in the abstract 0.6, under the threshold of 0.9), unless a test trains one.
// Readers' addresses are confirmed (users.email_verified) unless a test says otherwise: e-mail
// digests go to confirmed addresses only.
// A database of this file's own: a digest run looks at every topic with a digest on.
import { databaseUrl, ownDatabase } from "../helpers/own-database";
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, expect, inject, test } from "vitest";
import type { ParsedMail } from "mailparser";
import { db, disconnectDb } from "../../lib/db";
import { buildDigest } from "../../lib/digest/build";
import { Mailer } from "../../lib/digest/mail";
import { enqueueLatestDigest } from "../../lib/digest/schedule";
import { sendDigestsForDay, type DigestDeps } from "../../lib/digest/send";
import { checkWebhookUrl, WebhookAddressError } from "../../lib/digest/ssrf";
import { unsubscribeToken } from "../../lib/digest/token";
import { describeWebhookError, WebhookSender } from "../../lib/digest/webhook";
import { getAuth } from "../../lib/auth";
import { setProcessEnv } from "../../lib/env";
import { claimDelivery, finishDelivery, getDigestSettings, listDeliveries, releaseDelivery, setDigestSettings } from "../../lib/queries/digests";
import { setFollowedCategories } from "../../lib/queries/settings";
import { listScoredPapersForDay } from "../../lib/queries/topics";
import { enqueueDigest, QueueConnection } from "../../lib/queue";
import { trainTopic } from "../../lib/relevance/train";
import { RequestTimeoutError, type FailedAttempt } from "../../lib/retry";
import { UnrecoverableError } from "bullmq";
import { createDigestProcessor } from "../../workers/digest";
import { GET, POST } from "../../app/unsubscribe/route";
import { startHookServer, startSmtpServer, type TestHookServer, type TestSmtpServer } from "../helpers/mail-and-hooks";
import { entry, randomPaperId, seedListing } from "../helpers/seed";
import { waitFor } from "../helpers/wait";

const embedded = inject("databaseKind") === "embedded";
let smtp: TestSmtpServer;
let hooks: TestHookServer;
const users: string[] = [];
const cleanups: (() => Promise<unknown>)[] = [];
/** Each test its own category, so its day is that listing's latest (the only one digests are sent for). */
const categories = ["math.NA", "math.OC", "math.PR", "math.ST", "q-bio.GN", "q-bio.NC", "q-fin.ST", "q-fin.TR", "stat.AP", "stat.CO", "stat.ME", "econ.EM", "eess.SP", "eess.IV"];
let nextCategory = 0;

beforeAll(async () => {
  [smtp, hooks] = await Promise.all([startSmtpServer(), startHookServer()]);
});

afterEach(async () => {
  // Topics of a finished test must not take part in the next test's runs.
  await db().user.deleteMany({ where: { id: { in: users.splice(0) } } });
  while (cleanups.length) await cleanups.pop()!();
});

afterAll(async () => {
  await Promise.all([smtp?.close(), hooks?.close()]);
  await disconnectDb();
  await ownDatabase?.drop();
});

const fast = { retries: 2, minTimeout: 1, maxTimeout: 5, randomize: false };
const mailer = () => new Mailer(smtp.url, "Paper Triage <digests@papers.test>", undefined, fast);
const webhooks = (options: { allowPrivate?: boolean; retryOptions?: object } = {}) =>
  new WebhookSender({ allowPrivate: options.allowPrivate ?? true, retryOptions: { ...fast, ...options.retryOptions } });

/** A day of `category` with papers on the topic (keyword in the title) and off it. */
async function seedDay(options: { hostileTitle?: string; onTopic?: number } = {}) {
  const category = categories[nextCategory++]!;
  const date = `2031-0${1 + (nextCategory % 9)}-1${nextCategory % 10}`;
  const on = Array.from({ length: options.onTopic ?? 2 }, (_, i) => ({
    id: randomPaperId(),
    title: i === 0 && options.hostileTitle ? options.hostileTitle : `Sparse attention for long documents, part ${i + 1}`,
    abstract: "We make transformers cheaper on long inputs.",
  }));
  const abstractOnly = { id: randomPaperId(), title: "Cheaper transformers", abstract: "A study of sparse attention patterns." };
  const off = Array.from({ length: 3 }, (_, i) => ({ id: randomPaperId(), title: `Galaxy rotation curves ${i}`, abstract: "Dark matter halos of spiral galaxies." }));
  await seedListing(
    [...on, abstractOnly, ...off].map((p) => entry({ ...p, primaryCategory: category, categories: [category] })),
    [category],
    date,
  );
  return { category, date, spec: { include: [category], exclude: [] }, on: on.map((p) => p.id), others: [abstractOnly.id, ...off.map((p) => p.id)] };
}

/** A reader with a topic whose digest is on: by e-mail and/or to a webhook path of the receiver. */
async function readerWithTopic(
  options: { email?: boolean; hookPath?: string | null; format?: "json" | "slack" | "discord"; keywords?: string[]; verified?: boolean } = {},
) {
  const id = `digest-${randomBytes(6).toString("hex")}`;
  users.push(id);
  const user = await db().user.create({ data: { id, email: `${id}@readers.test`, name: id, emailVerified: options.verified ?? true } });
  const hookPath = options.hookPath === undefined ? `/hook/${randomUUID()}` : options.hookPath;
  const topic = await db().topic.create({
    data: {
      userId: user.id,
      name: "Sparse attention",
      keywords: options.keywords ?? ["sparse attention"],
      digestEmail: options.email ?? true,
      webhookUrl: hookPath ? `${hooks.url}${hookPath}` : null,
      webhookFormat: options.format ?? "json",
    },
  });
  return { user, topic, hookPath: hookPath ?? "" };
}

/** The https/http address of a message's List-Unsubscribe header, read from the raw header line. */
function listUnsubscribe(mail: ParsedMail): string | undefined {
  const line = mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line.replace(/\r?\n\s+/g, " ");
  return line ? /<(https?:\/\/[^>]+)>/.exec(line)?.[1] : undefined;
}

const mailsTo = (address: string): ParsedMail[] => smtp.messages.filter((m, i) => smtp.recipients[i]!.includes(address));

async function rows(topicId: string) {
  return db().digestDelivery.findMany({ where: { topicId }, orderBy: [{ date: "asc" }, { channel: "asc" }] });
}

test("two workers racing send one digest per topic and day, with the papers above the threshold, and a later run sends nothing more", async () => {
  const day = await seedDay();
  const { user, topic, hookPath } = await readerWithTopic();
  // A TL;DR for the first paper: its FAQ is done.
  await db().faq.create({
    data: { paperId: day.on[0]!, version: 1, questionSet: "t", language: "en", model: "m", status: "done", tldr: "Attention that skips most tokens." },
  });
  const deps = (): DigestDeps => ({ mailer: mailer(), webhooks: webhooks(), spec: day.spec });
  const [a, b] = await Promise.all([
    sendDigestsForDay(day.date, deps(), { sendUnready: true }),
    sendDigestsForDay(day.date, deps(), { sendUnready: true }),
  ]);
  // Whichever worker got each channel (the other may find it taken, or already settled and not try):
  // each channel is sent once.
  const mine = [...a.deliveries, ...b.deliveries].filter((d) => d.topicId === topic.id);
  expect(mine.filter((d) => d.status === "sent").map((d) => d.channel).sort()).toEqual(["email", "webhook"]);

  // The papers the app's own ranking puts at or above 0.9: the two with the keyword in the title.
  const ranked = await listScoredPapersForDay(user.id, topic.id, day.spec, day.date, { min: 0.9 });
  expect(ranked.papers.map((p) => p.id).sort()).toEqual([...day.on].sort());

  const mails = mailsTo(user.email);
  expect(mails).toHaveLength(1);
  const mail = mails[0]!;
  expect(mail.subject).toBe(`Sparse attention: 2 new papers on ${day.date}`);
  for (const id of day.on) expect(mail.text).toContain(`/papers/${id}`);
  for (const id of day.others) expect(mail.text).not.toContain(id);
  expect(mail.text).toContain("Keywords: sparse attention");
  expect(mail.text).toContain("TL;DR: Attention that skips most tokens.");
  expect(mail.html).toContain("Attention that skips most tokens.");
  expect(mail.html).toContain(`https://arxiv.org/abs/${day.on[1]}`);
  // One-click unsubscribe headers (RFC 2369 + RFC 8058).
  expect(listUnsubscribe(mail)).toContain(`/unsubscribe?token=${unsubscribeToken(topic.id, "email")}`);
  expect(mail.headerLines.find((h) => h.key === "list-unsubscribe-post")?.line).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");

  const posts = hooks.to(hookPath);
  expect(posts).toHaveLength(1);
  const body = posts[0]!.body as { type: string; date: string; papers: { id: string; tldr: string | null; why: string; score: number }[]; unsubscribeUrl: string };
  expect(body.type).toBe("paper-triage.digest");
  expect(body.date).toBe(day.date);
  expect(body.papers.map((p) => p.id).sort()).toEqual([...day.on].sort());
  expect(body.papers.find((p) => p.id === day.on[0])!.tldr).toBe("Attention that skips most tokens.");
  expect(body.papers.every((p) => p.score >= 0.9 && p.why.includes("Keywords: sparse attention"))).toBe(true);
  expect(body.unsubscribeUrl).toContain(unsubscribeToken(topic.id, "webhook"));

  const stored = await rows(topic.id);
  expect(stored.map((r) => [r.channel, r.status, r.papers, r.attempts])).toEqual([
    ["email", "sent", 2, 1],
    ["webhook", "sent", 2, 1],
  ]);
  expect(stored.map((r) => r.target)).toEqual([user.email, new URL(hooks.url).host]);

  // A retry or a restart of the job: nothing more is sent.
  const again = await sendDigestsForDay(day.date, deps(), { sendUnready: true });
  expect(again.deliveries.filter((d) => d.topicId === topic.id)).toEqual([]);
  expect(mailsTo(user.email)).toHaveLength(1);
  expect(hooks.to(hookPath)).toHaveLength(1);
});

test("the unsubscribe link: GET asks, one-click POST turns the e-mail digest off without a session, forged links get 400", async () => {
  const day = await seedDay();
  const { user, topic, hookPath } = await readerWithTopic();
  await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  const mail = mailsTo(user.email)[0]!;
  const link = listUnsubscribe(mail)!;
  expect(mail.text).toContain(link);

  const asked = await GET(new Request(link));
  expect(asked.status).toBe(200);
  const askedPage = await asked.text();
  expect(askedPage).toContain("Stop the daily e-mail digest of the topic “Sparse attention”?");
  expect(askedPage).toContain('<form method="post"');
  expect((await db().topic.findUniqueOrThrow({ where: { id: topic.id } })).digestEmail).toBe(true);

  // What a mail client sends for a one-click unsubscribe: no cookie, no CSRF token.
  const done = await POST(new Request(link, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" }));
  expect(done.status).toBe(200);
  expect(await done.text()).toContain("is off");
  const after = await db().topic.findUniqueOrThrow({ where: { id: topic.id } });
  expect(after.digestEmail).toBe(false);
  expect(after.webhookUrl).toBe(`${hooks.url}${hookPath}`);
  expect(await (await GET(new Request(link))).text()).toContain("Already unsubscribed");

  // Forged, cut or missing tokens: 400 in words; a deleted topic: 404.
  const token = new URL(link).searchParams.get("token")!;
  const forged = token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
  const otherChannel = token.replace(".email.", ".webhook.");
  for (const bad of [`?token=${forged}`, `?token=${otherChannel}`, `?token=${token.slice(0, 20)}`, "", "?token=%3Cscript%3E"]) {
    for (const method of ["GET", "POST"] as const) {
      const response = await (method === "GET" ? GET : POST)(new Request(`http://app.test/unsubscribe${bad}`, { method }));
      expect(response.status, `${method} ${bad}`).toBe(400);
      expect(await response.text()).toContain("This unsubscribe link is not valid");
    }
  }
  expect((await db().topic.findUniqueOrThrow({ where: { id: topic.id } })).webhookUrl).not.toBeNull();

  // The next day: no e-mail, the webhook still gets its digest.
  const next = { ...day, date: `${day.date.slice(0, 8)}2${day.date.slice(9)}` };
  await seedListing([entry({ id: randomPaperId(), title: "Sparse attention again", primaryCategory: day.category, categories: [day.category] })], [day.category], next.date);
  await sendDigestsForDay(next.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(mailsTo(user.email)).toHaveLength(1);
  expect(hooks.to(hookPath)).toHaveLength(2);

  await db().topic.delete({ where: { id: topic.id } });
  const deleted = await POST(new Request(link, { method: "POST", body: "List-Unsubscribe=One-Click" }));
  expect(deleted.status).toBe(404);
});

test("a failing webhook is retried, then marked failed with the answer (never its path); Retry-After is honoured", async () => {
  const day = await seedDay();
  const failing = await readerWithTopic({ email: false });
  const throttled = await readerWithTopic({ email: false, format: "slack" });
  const refused = await readerWithTopic({ email: false });
  hooks.script(failing.hookPath, [{ status: 500 }]);
  hooks.script(throttled.hookPath, [{ status: 503, headers: { "retry-after": "1" } }, { status: 200 }]);
  hooks.script(refused.hookPath, [{ status: 404 }]);
  const decisions: FailedAttempt[] = [];
  const sender = webhooks({ retryOptions: { onFailedAttempt: (a: FailedAttempt) => void decisions.push(a) } });
  await sendDigestsForDay(day.date, { mailer: null, webhooks: sender, spec: day.spec }, { sendUnready: true });

  expect(hooks.to(failing.hookPath)).toHaveLength(3); // the first try and fast.retries = 2 more
  const [failed] = await rows(failing.topic.id);
  expect(failed).toMatchObject({ channel: "webhook", status: "failed", attempts: 3, papers: 2 });
  expect(failed!.error).toBe(`${hooks.url} answered HTTP 500 Internal Server Error`);
  // What the topic page lists.
  const shown = await listDeliveries(failing.user.id, failing.topic.id);
  expect(shown).toEqual([expect.objectContaining({ date: day.date, channel: "webhook", status: "failed", error: failed!.error })]);
  expect(await listDeliveries(throttled.user.id, failing.topic.id)).toEqual([]);

  // 503 with Retry-After: 1 s waited (not the 1 ms backoff), then delivered.
  expect(hooks.to(throttled.hookPath)).toHaveLength(2);
  const waited = decisions.find((d) => d.error.message.includes("503"));
  expect(waited).toMatchObject({ delaySource: "retry-after", delayMs: 1000, willRetry: true });
  expect((await rows(throttled.topic.id))[0]).toMatchObject({ status: "sent", attempts: 2 });
  const slack = hooks.to(throttled.hookPath)[1]!.body as { text: string; blocks: { type: string }[] };
  expect(slack.text).toContain("Sparse attention: 2 new papers");
  expect(slack.blocks.filter((b) => b.type === "section")).toHaveLength(2);

  // 404 will not change: one try.
  expect(hooks.to(refused.hookPath)).toHaveLength(1);
  expect((await rows(refused.topic.id))[0]).toMatchObject({ status: "failed", attempts: 1 });
});

test("a webhook on this machine's private addresses is refused unless allowed, at save time and at send time", async () => {
  for (const url of ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/x", "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::ffff:127.0.0.1]/x", "http://0.0.0.0/x"]) {
    await expect(checkWebhookUrl(url, { allowPrivate: false }), url).rejects.toThrow(WebhookAddressError);
  }
  await expect(checkWebhookUrl("ftp://example.org/x", { allowPrivate: true })).rejects.toThrow(/https:\/\/ or http:\/\//);
  await expect(checkWebhookUrl("http://127.0.0.1:9/x", { allowPrivate: true })).resolves.toBeInstanceOf(URL);

  const day = await seedDay();
  const { topic, hookPath } = await readerWithTopic({ email: false });
  await sendDigestsForDay(day.date, { mailer: null, webhooks: webhooks({ allowPrivate: false }), spec: day.spec }, { sendUnready: true });
  expect(hooks.to(hookPath)).toHaveLength(0);
  const [row] = await rows(topic.id);
  expect(row).toMatchObject({ status: "failed", attempts: 1 });
  expect(row!.error).toContain("private network (127.0.0.1)");
  expect(row!.error).toContain("WEBHOOK_ALLOW_PRIVATE=true");
});

test("hostile titles are escaped in the HTML mail and in Slack and Discord bodies", async () => {
  const hostile = `<script>alert("x")</script> Sparse attention <img src=x onerror=alert(1)> <!channel> @everyone`;
  const day = await seedDay({ hostileTitle: hostile });
  const { user, topic, hookPath } = await readerWithTopic({ format: "discord" });
  const slackPath = `/hook/${randomUUID()}`;
  const slackReader = await readerWithTopic({ email: false, hookPath: slackPath, format: "slack" });
  await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });

  const mail = mailsTo(user.email)[0]!;
  const html = mail.html as string;
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<img/i);
  expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Sparse attention &lt;img src=x onerror=alert(1)&gt;");
  expect(mail.text).toContain(hostile);

  const discord = hooks.to(hookPath)[0]!.body as { allowed_mentions: { parse: string[] }; embeds: { title: string }[] };
  expect(discord.allowed_mentions).toEqual({ parse: [] });
  expect(discord.embeds.map((e) => e.title)).toContain(hostile);
  const slack = JSON.stringify(hooks.to(slackPath)[0]!.body);
  expect(slack).not.toContain("<!channel>");
  expect(slack).toContain("&lt;!channel&gt;");
  expect(slack).not.toContain("<script>");
  expect((await rows(topic.id)).map((r) => r.status)).toEqual(["sent", "sent"]);
  expect((await rows(slackReader.topic.id)).map((r) => r.status)).toEqual(["sent"]);
});

test("nothing is sent when no paper scores above the threshold; the day is recorded as empty", async () => {
  const day = await seedDay();
  const { user, topic, hookPath } = await readerWithTopic({ keywords: ["protein folding"] });
  await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(mailsTo(user.email)).toHaveLength(0);
  expect(hooks.to(hookPath)).toHaveLength(0);
  expect((await rows(topic.id)).map((r) => [r.channel, r.status, r.papers])).toEqual([
    ["email", "empty", 0],
    ["webhook", "empty", 0],
  ]);
  // A paper whose abstract alone has the keyword scores 0.6: under the threshold, left out of a digest.
  const another = await readerWithTopic({ keywords: ["sparse attention"], hookPath: null });
  const run = await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(run.deliveries.find((d) => d.topicId === another.topic.id)?.status).toBe("sent");
  expect(mailsTo(another.user.email)[0]!.text).not.toContain(day.others[0]);
});

test("only the latest announced day is sent; without SMTP only webhooks go; a dead worker's claim is taken over, a live one is not", async () => {
  const day = await seedDay();
  const { user, topic, hookPath } = await readerWithTopic();
  const earlier = `${Number(day.date.slice(0, 4)) - 1}${day.date.slice(4)}`;
  await seedListing([entry({ id: randomPaperId(), title: "Sparse attention, last year", primaryCategory: day.category, categories: [day.category] })], [day.category], earlier);
  const old = await sendDigestsForDay(earlier, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(old.skipped).toContain("not the latest announced day");
  expect(await rows(topic.id)).toEqual([]);

  // A claim younger than the stale limit: another worker is sending it now.
  await db().digestDelivery.create({ data: { topicId: topic.id, date: new Date(`${day.date}T00:00:00Z`), channel: "webhook", status: "sending" } });
  const live = await sendDigestsForDay(day.date, { mailer: null, webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(live.deliveries.filter((d) => d.topicId === topic.id)).toEqual([]);
  expect(hooks.to(hookPath)).toHaveLength(0);
  expect(mailsTo(user.email)).toHaveLength(0); // no SMTP: no e-mail, and no e-mail row
  // The same claim, once older than the limit (its worker died mid-send): taken over and sent.
  await db().digestDelivery.updateMany({ where: { topicId: topic.id }, data: { createdAt: new Date(Date.now() - 3_600_000) } });
  const taken = await sendDigestsForDay(day.date, { mailer: null, webhooks: webhooks(), spec: day.spec, staleClaimMs: 60_000 }, { sendUnready: true });
  expect(taken.deliveries.filter((d) => d.topicId === topic.id)).toEqual([{ topicId: topic.id, channel: "webhook", status: "sent" }]);
  expect(hooks.to(hookPath)).toHaveLength(1);
  expect((await rows(topic.id)).map((r) => [r.channel, r.status])).toEqual([["webhook", "sent"]]);
});

test("an SMTP server that says 'try later' is tried again; a rejection is final", async () => {
  const day = await seedDay();
  const { user, topic } = await readerWithTopic({ hookPath: null });
  smtp.refuseNext(1, 421);
  await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(mailsTo(user.email)).toHaveLength(1);
  expect((await rows(topic.id))[0]).toMatchObject({ channel: "email", status: "sent", attempts: 2 });

  const next = await seedDay();
  const rejected = await readerWithTopic({ hookPath: null });
  smtp.refuseNext(5, 554);
  await sendDigestsForDay(next.date, { mailer: mailer(), webhooks: webhooks(), spec: next.spec }, { sendUnready: true });
  smtp.refuseNext(0, 421);
  expect(mailsTo(rejected.user.email)).toHaveLength(0);
  const [row] = await rows(rejected.topic.id);
  expect(row).toMatchObject({ status: "failed", attempts: 1 });
  expect(row!.error).toContain("554");
});

test("the digest job: queued once per day after a crawl, it waits until the topic's scores are final, then sends", { timeout: 60_000 }, async () => {
  const day = await seedDay();
  await setFollowedCategories([day.category]);
  const { user, topic } = await readerWithTopic({ hookPath: null });
  const config = { databaseUrl, pgSchema: embedded ? "public" : `digest_${randomBytes(4).toString("hex")}` };
  const web = new QueueConnection(config);
  const worker = new QueueConnection(config);
  cleanups.push(() => web.close(), () => worker.close());
  expect(await enqueueLatestDigest(web)).toBe(day.date);
  expect(await enqueueLatestDigest(web)).toBe(day.date); // a second crawl of the day: the same job
  const jobs = (await web.queue("digest").getJobs(["waiting", "delayed", "active", "prioritized"])).filter((j) => j?.data.date === day.date);
  expect(jobs).toHaveLength(1);
  const job = jobs[0]!;

  // The threshold at 0.5: once trained, a paper's score is 1 − (1 − model part)·(1 − ½·keyword part),
  // at least 0.5 for the two with the keyword in their title whatever the model learned, so they are sent.
  const processor = createDigestProcessor({ mailer: mailer(), webhooks: webhooks(), recheckMs: 200, threshold: 0.5 });
  worker.worker("digest", processor, { concurrency: 1 });
  // Not ready: the topic has never been trained (its model would come with the crawl's retraining).
  await waitFor("the job to wait for scores", () => job.getState(), (s) => s === "delayed");
  expect(mailsTo(user.email)).toHaveLength(0);
  expect(await rows(topic.id)).toEqual([]);

  await trainTopic(topic.id, { embedder: null });
  await waitFor("the job to finish", () => job.getState(), (s) => s === "completed");
  const stored = await rows(topic.id);
  expect(stored.map((r) => [r.channel, r.status])).toEqual([["email", "sent"]]);
  expect(stored[0]!.papers).toBeGreaterThanOrEqual(2);
  const mails = mailsTo(user.email);
  expect(mails).toHaveLength(1);
  for (const id of day.on) expect(mails[0]!.text).toContain(`/papers/${id}`);
});

test("a digest job that failed does not block its day: the next crawl queues the day again", { timeout: 30_000 }, async () => {
  const config = { databaseUrl, pgSchema: embedded ? "public" : `digest_${randomBytes(4).toString("hex")}` };
  const web = new QueueConnection(config);
  const worker = new QueueConnection(config);
  cleanups.push(() => web.close(), () => worker.close());
  const date = `2032-0${1 + Math.floor(Math.random() * 9)}-2${Math.floor(Math.random() * 8)}`;
  const first = await enqueueDigest(web, date);
  expect((await enqueueDigest(web, date)).id).toBe(first.id); // while it waits: the same job

  // A job that fails for good (here its processor gives up at once; in production, its attempts spent).
  const failing = worker.worker("digest", async () => {
    throw new UnrecoverableError("the mail server is down");
  });
  await waitFor("the job to fail", () => first.getState(), (s) => s === "failed");
  await failing.close();

  const again = await enqueueDigest(web, date);
  expect(again.id).not.toBe(first.id);
  expect(await again.getState()).toBe("waiting");
  expect(await first.getState()).toBe("failed");
});

test("an unconfirmed address is not mailed (its webhook still is); once confirmed through the link better-auth mails, it is", async () => {
  const day = await seedDay();
  const { user, topic, hookPath } = await readerWithTopic({ verified: false });
  await sendDigestsForDay(day.date, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(mailsTo(user.email)).toHaveLength(0);
  expect(hooks.to(hookPath)).toHaveLength(1);
  expect((await rows(topic.id)).map((r) => [r.channel, r.status])).toEqual([["webhook", "sent"]]);

  // The confirmation, as the topic page's Save asks for it (app/topics/digest-actions.ts): better-auth
  // makes the signed link and lib/auth.ts mails it through SMTP_URL.
  setProcessEnv({ SMTP_URL: smtp.url });
  await getAuth().api.sendVerificationEmail({ body: { email: user.email, callbackURL: `/topics/${topic.id}` } });
  const [confirmation] = mailsTo(user.email);
  expect(confirmation!.subject).toBe("Confirm your address for Paper Triage digests");
  const link = /https?:\/\/\S+\/api\/auth\/verify-email\?\S+/.exec(confirmation!.text ?? "")?.[0];
  expect(link).toBeDefined();
  // A forged token confirms nothing.
  const forged = await getAuth().handler(new Request(link!.replace(/token=[^&]+/, "token=forged")));
  expect(forged.headers.get("location")).toContain("error=INVALID_TOKEN");
  expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBe(false);
  const opened = await getAuth().handler(new Request(link!));
  expect(opened.status).toBe(302);
  expect(opened.headers.get("location")).toBe(`/topics/${topic.id}`);
  expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBe(true);

  // The next day's digest is mailed.
  const next = `${day.date.slice(0, 8)}2${day.date.slice(9)}`;
  await seedListing([entry({ id: randomPaperId(), title: "Sparse attention again", primaryCategory: day.category, categories: [day.category] })], [day.category], next);
  await sendDigestsForDay(next, { mailer: mailer(), webhooks: webhooks(), spec: day.spec }, { sendUnready: true });
  expect(mailsTo(user.email).map((m) => m.subject)).toEqual(["Confirm your address for Paper Triage digests", `Sparse attention: 1 new paper on ${next}`]);
});

test("a claim taken over is fenced: the slow worker it was taken from can neither finish nor give back the new claim", async () => {
  const { topic } = await readerWithTopic({ hookPath: null });
  const request = { topicId: topic.id, date: "2031-12-24", channel: "email" as const, target: "reader@readers.test", staleMs: 60_000 };
  const slow = (await claimDelivery(request))!;
  expect(slow).not.toBeNull();
  expect(await claimDelivery(request)).toBeNull(); // a live claim
  // The slow worker's claim looks dead: the next run takes it over (the same row, a new claim).
  await db().digestDelivery.updateMany({ where: { topicId: topic.id }, data: { createdAt: new Date(Date.now() - 3_600_000) } });
  const taken = (await claimDelivery(request))!;
  expect(taken.id).toBe(slow.id);
  expect(taken.claimedAt).not.toBe(slow.claimedAt);

  // The slow worker wakes up: its failure and its give-back touch nothing.
  expect(await finishDelivery(slow, { status: "failed", papers: 0, attempts: 1, error: "timed out" })).toBe(false);
  expect(await releaseDelivery(slow)).toBe(false);
  expect((await rows(topic.id)).map((r) => [r.status, r.attempts, r.error])).toEqual([["sending", 0, null]]);

  expect(await finishDelivery(taken, { status: "sent", papers: 3, attempts: 1 })).toBe(true);
  expect((await rows(topic.id)).map((r) => [r.status, r.papers, r.attempts])).toEqual([["sent", 3, 1]]);
  // A finished claim is final for both.
  expect(await releaseDelivery(taken)).toBe(false);
});

test("a receiver that stalls after its headers is a timeout, reported once as such", async () => {
  const path = `/hook/${randomUUID()}`;
  hooks.script(path, [{ status: 200, hang: true }]);
  const sender = new WebhookSender({ allowPrivate: true, timeoutMs: 300, retryOptions: { ...fast, retries: 0 } });
  const tries = { count: 0 };
  const error = await sender.post(`${hooks.url}${path}`, { hello: 1 }, tries).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RequestTimeoutError);
  expect(describeWebhookError(error)).toBe(`POST ${hooks.url} got no complete response within 300 ms`);
  expect(tries.count).toBe(1);
  expect(hooks.to(path)).toHaveLength(1);
});

test("buildDigest lists at most 50 papers and says how many there were", () => {
  const papers = Array.from({ length: 60 }, (_, i) => ({
    id: `2101.${String(i).padStart(5, "0")}`,
    title: `P${i}`,
    authors: ["A"],
    tldr: null,
    relevance: { score: 0.95, modelPart: null, keywordPart: 1, matched: ["x"], terms: [], similar: null, label: null },
  })) as unknown as Parameters<typeof buildDigest>[0]["papers"];
  const d = buildDigest({ topic: { id: randomUUID(), name: "T" }, date: "2031-01-01", threshold: 0.9, total: 60, papers, baseUrl: "https://p.test/", listPath: "/list/cs.CL", unsubscribeUrl: "https://p.test/u" });
  expect(d.papers).toHaveLength(50);
  expect(d.listUrl).toBe("https://p.test/list/cs.CL");
  expect(d.papers[0]!.url).toBe("https://p.test/papers/2101.00000");
});

test("another reader can neither read nor change a topic's digest settings", async () => {
  const owner = await readerWithTopic({ email: true, hookPath: "/hook/owner" });
  const other = await readerWithTopic({ email: false, hookPath: null });
  expect(await getDigestSettings(other.user.id, owner.topic.id)).toBeNull();
  expect(await setDigestSettings(other.user.id, owner.topic.id, { digestEmail: false, webhookUrl: "https://example.org/theirs", webhookFormat: "slack" })).toBe(false);
  const kept = await db().topic.findUniqueOrThrow({ where: { id: owner.topic.id } });
  expect({ digestEmail: kept.digestEmail, webhookUrl: kept.webhookUrl, webhookFormat: kept.webhookFormat }).toEqual({
    digestEmail: true,
    webhookUrl: `${hooks.url}/hook/owner`,
    webhookFormat: "json",
  });
  // The owner's own call works, so the refusal above is about who asks.
  expect(await setDigestSettings(owner.user.id, owner.topic.id, { digestEmail: false, webhookUrl: null, webhookFormat: "json" })).toBe(true);
  expect((await getDigestSettings(owner.user.id, owner.topic.id))?.digestEmail).toBe(false);
});
