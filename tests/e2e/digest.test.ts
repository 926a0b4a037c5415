// The topic page's "Daily digest" section and the unsubscribe page in a real Chromium, against the
// production build: the e-mail box names the reader's address (SMTP_URL set: a real SMTP server of
// the test's); ticking it with an address not confirmed yet mails a confirmation link, and opening it
// confirms the address (the page stops waiting); a webhook on this
// machine is refused at save time in words (WEBHOOK_ALLOW_PRIVATE unset), a public one is saved with
// its format; a failed delivery is listed with its error; the unsubscribe link asks first (GET changes
// nothing), its button turns the e-mail digest off without a session, and a forged link is a 400
// page. Screenshots (light, dark, 375 px wide) go to test-artifacts/.
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ROOT } from "../../lib/build";
import { db, disconnectDb } from "../../lib/db";
import { unsubscribeToken } from "../../lib/digest/token";
import { setProcessEnv } from "../../lib/env";
import { createAccount, hasChromium, launchBrowser } from "../helpers/browser";
import { startSmtpServer, type TestSmtpServer } from "../helpers/mail-and-hooks";
import { startWeb, type WebServer } from "../helpers/web";

const ARTIFACTS = path.join(ROOT, "test-artifacts");
const tag = randomBytes(4).toString("hex");
let web: WebServer;
let browser: Browser;
let smtp: TestSmtpServer;

beforeAll(async () => {
  if (!hasChromium) return;
  await mkdir(ARTIFACTS, { recursive: true });
  // A real SMTP server: the page offers e-mail digests when one is set, and mails confirmation links through it.
  smtp = await startSmtpServer();
  web = await startWeb({ SMTP_URL: smtp.url, WEBHOOK_ALLOW_PRIVATE: "false" });
  // Tokens made here must verify in the server: the same secret (tests/helpers/web.ts).
  setProcessEnv({ AUTH_SECRET: "test-secret-0123456789abcdef0123456789abcdef", PUBLIC_URL: web.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  await smtp?.close();
  await disconnectDb();
});

async function screenshots(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-dark.png`), fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 375, height: 800 });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}-375.png`), fullPage: true });
  await page.setViewportSize(size);
}

test.skipIf(!hasChromium)("the topic page's digest settings, its deliveries, and the unsubscribe page", { timeout: 120_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const email = `digest-${tag}@readers.test`;
  await createAccount(page, web.url, email, "a long enough password");
  const user = await db().user.findUniqueOrThrow({ where: { email } });
  const topic = await db().topic.create({ data: { userId: user.id, name: `<b>Digest</b> ${tag}`, keywords: ["sparse attention"] } });

  await page.goto(`${web.url}/topics/${topic.id}`);
  const section = page.getByRole("region", { name: "Daily digest" });
  await expect.poll(() => section.getByText("None yet. The first digest").count()).toBe(1);
  const box = section.getByRole("checkbox", { name: /E-mail me the daily digest/ });
  expect(await section.getByText(`at ${email}`).count()).toBe(1);

  // A webhook on this machine: refused in words, what was typed kept.
  await section.getByLabel(/Webhook address/).fill("http://127.0.0.1:9/hook");
  await section.getByRole("button", { name: "Save digest settings" }).click();
  const alert = section.getByRole("alert");
  await alert.waitFor();
  expect(await alert.textContent()).toContain("private network (127.0.0.1)");
  expect(await section.getByLabel(/Webhook address/).inputValue()).toBe("http://127.0.0.1:9/hook");
  expect((await db().topic.findUniqueOrThrow({ where: { id: topic.id } })).webhookUrl).toBeNull();

  // A public address (never contacted here: saving only checks it), Slack's format, e-mail on.
  await section.getByLabel(/Webhook address/).fill("https://93.184.215.14/services/T000/B000/secret");
  await section.getByRole("combobox", { name: "Format" }).selectOption("slack");
  expect(await section.getByText(`Ticking the box e-mails ${email} a link to confirm the address first`).count()).toBe(1);
  await box.check();
  await section.getByRole("button", { name: "Save digest settings" }).click();
  await section.getByRole("status").filter({ hasText: `Saved. Check your inbox at ${email} to confirm your address; the digest starts once it is confirmed.` }).waitFor();
  const saved = await db().topic.findUniqueOrThrow({ where: { id: topic.id } });
  expect(saved).toMatchObject({ digestEmail: true, webhookUrl: "https://93.184.215.14/services/T000/B000/secret", webhookFormat: "slack" });
  await expect.poll(() => smtp.messages.length).toBe(1);
  expect(smtp.recipients[0]).toEqual([email]);
  expect(smtp.messages[0]!.subject).toBe("Confirm your address for Paper Triage digests");
  await page.reload();
  expect(await section.getByText(`Waiting for you to confirm ${email}`).count()).toBe(1);
  // Saving again at once sends no second link.
  await section.getByRole("button", { name: "Save digest settings" }).click();
  await section.getByRole("status").filter({ hasText: "was sent less than 10 minutes ago" }).waitFor();
  expect(smtp.messages).toHaveLength(1);
  expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBe(false);
  // The link in the e-mail confirms the address and leads back to the topic.
  const confirmLink = /https?:\/\/\S+\/api\/auth\/verify-email\?\S+/.exec(smtp.messages[0]!.text ?? "")![0];
  await page.goto(confirmLink);
  expect(new URL(page.url()).pathname).toBe(`/topics/${topic.id}`);
  expect((await db().user.findUniqueOrThrow({ where: { id: user.id } })).emailVerified).toBe(true);
  expect(await section.getByText(`Waiting for you to confirm`).count()).toBe(0);

  // A failed delivery shows with its error.
  await db().digestDelivery.create({
    data: { topicId: topic.id, date: new Date("2031-02-03T00:00:00Z"), channel: "webhook", status: "failed", attempts: 5, papers: 3, target: "93.184.215.14", error: "https://93.184.215.14 answered HTTP 500 Internal Server Error" },
  });
  await db().digestDelivery.create({ data: { topicId: topic.id, date: new Date("2031-02-03T00:00:00Z"), channel: "email", status: "sent", attempts: 1, papers: 3, target: email } });
  await page.reload();
  const list = page.getByRole("list", { name: "Last digest deliveries" });
  expect(await list.getByRole("listitem").allTextContents()).toEqual([
    `2031-02-03 e-mail to ${email} sent, 3 papers`,
    "2031-02-03 webhook to 93.184.215.14 failed after 5 attempts: https://93.184.215.14 answered HTTP 500 Internal Server Error",
  ]);
  expect(await page.getByRole("checkbox", { name: /E-mail me the daily digest/ }).isChecked()).toBe(true);
  await page.getByRole("heading", { name: "Daily digest" }).scrollIntoViewIfNeeded();
  await screenshots(page, "digest-topic-page");

  // The unsubscribe link, opened in a browser with no session: it asks, then turns e-mail off.
  const stranger = await browser.newContext();
  const mailPage = await stranger.newPage();
  const link = `${web.url}/unsubscribe?token=${unsubscribeToken(topic.id, "email")}`;
  const asked = await mailPage.goto(link);
  expect(asked!.status()).toBe(200);
  expect(await mailPage.getByRole("heading", { level: 1 }).textContent()).toBe("Unsubscribe?");
  expect(await mailPage.getByText(`Stop the daily e-mail digest of the topic “<b>Digest</b> ${tag}”?`).count()).toBe(1);
  await screenshots(mailPage, "digest-unsubscribe");
  expect((await db().topic.findUniqueOrThrow({ where: { id: topic.id } })).digestEmail).toBe(true);
  await mailPage.getByRole("button", { name: "Unsubscribe" }).focus();
  await mailPage.keyboard.press("Enter");
  await mailPage.getByRole("heading", { name: "Unsubscribed" }).waitFor();
  expect((await db().topic.findUniqueOrThrow({ where: { id: topic.id } })).digestEmail).toBe(false);

  const forged = await mailPage.goto(`${link.slice(0, -2)}xx`);
  expect(forged!.status()).toBe(400);
  expect(await mailPage.getByRole("heading", { level: 1 }).textContent()).toBe("This unsubscribe link is not valid");
  await screenshots(mailPage, "digest-unsubscribe-bad");

  // Back on the topic page the box is unticked.
  await page.reload();
  expect(await page.getByRole("checkbox", { name: /E-mail me the daily digest/ }).isChecked()).toBe(false);
  expect(errors).toEqual([]);
  await stranger.close();
  await context.close();
});
