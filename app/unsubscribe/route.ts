// /unsubscribe?token=…: the link in every digest (and its List-Unsubscribe header). GET shows what the
// link turns off and a button; POST turns it off: the button's form, or a mail client's one-click
// unsubscribe (RFC 8058: a POST with the body "List-Unsubscribe=One-Click", no cookies). Neither needs
// a session: the signed token (lib/digest/token.ts) is the authority, so no CSRF token is asked for
// either (the worst a forged POST can do with a stolen link is what the link itself does). GET never
// changes anything: mail scanners open links. A malformed or forged token gets 400 in words, a topic
// deleted since gets 404; nothing here answers 500 for what the link says.
import { readUnsubscribeToken } from "@/lib/digest/token";
import { digestSubscription, unsubscribeDigest, type DigestChannel } from "@/lib/queries/digests";
import { escapeHtml } from "@/lib/render/math";
import { themeFromCookie, type PageTheme } from "@/lib/render/page-theme";
import { unsubscribePage } from "./page-html";

export const dynamic = "force-dynamic";

const what = (channel: DigestChannel) => (channel === "email" ? "daily e-mail digest" : "daily digest posts to a webhook");

function page(status: number, theme: PageTheme, title: string, paragraphs: string[], form?: { action: string; button: string }): Response {
  return new Response(unsubscribePage({ theme, title, paragraphs, form }), {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      // The token is in the address: never sent on to another site.
      "referrer-policy": "no-referrer",
    },
  });
}

const badLink = (theme: PageTheme) =>
  page(400, theme, "This unsubscribe link is not valid", [
    "It is incomplete or was changed (a mail program may have cut it at a line break). Open the link from the digest again, " +
      "or sign in and turn the digest off on the topic's page under <strong>Daily digest</strong>.",
  ]);

const gone = (theme: PageTheme) =>
  page(404, theme, "This topic no longer exists", ["Its digests have stopped: nothing more will be sent for it."]);

const topicLink = (topicId: string) => `<a href="/topics/${escapeHtml(topicId)}">the topic's page</a>`;

export async function GET(request: Request): Promise<Response> {
  const theme = themeFromCookie(request.headers.get("cookie"));
  const url = new URL(request.url);
  const token = url.searchParams.get("token");
  const subject = readUnsubscribeToken(token);
  if (!subject) return badLink(theme);
  const subscription = await digestSubscription(subject.topicId, subject.channel);
  if (!subscription) return gone(theme);
  const name = `“${escapeHtml(subscription.name)}”`;
  if (!subscription.on) {
    return page(200, theme, "Already unsubscribed", [
      `The ${what(subject.channel)} of the topic ${name} is off.`,
      `To turn it on again, sign in and open ${topicLink(subject.topicId)}.`,
    ]);
  }
  return page(
    200,
    theme,
    "Unsubscribe?",
    [`Stop the ${what(subject.channel)} of the topic ${name}?`, `<span class="muted">No sign-in needed. You can turn it on again on ${topicLink(subject.topicId)}.</span>`],
    { action: `/unsubscribe?token=${encodeURIComponent(token!)}`, button: "Unsubscribe" },
  );
}

export async function POST(request: Request): Promise<Response> {
  const theme = themeFromCookie(request.headers.get("cookie"));
  const subject = readUnsubscribeToken(new URL(request.url).searchParams.get("token"));
  if (!subject) return badLink(theme);
  const done = await unsubscribeDigest(subject.topicId, subject.channel);
  if (!done) return gone(theme);
  return page(200, theme, "Unsubscribed", [
    `The ${what(subject.channel)} of the topic “${escapeHtml(done.name)}” is off. Nothing more will be sent.`,
    `To turn it on again, sign in and open ${topicLink(subject.topicId)}.`,
  ]);
}
