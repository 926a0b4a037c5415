// What a digest says, built once from the day's scored papers and written out per channel: an e-mail
// (HTML and plain text), a generic JSON body, and bodies Slack's and Discord's incoming webhooks take.
// Pure functions: every text from papers and readers is escaped for where it goes (HTML, Slack's
// mrkdwn, Discord's markdown), and mentions are switched off, so a hostile title stays a title.
import type { WebhookFormat } from "../queries/digests";
import type { ScoredPaper } from "../queries/topics";
import { escapeHtml } from "../render/math";
import { explanationText, pct } from "../topics/card-html";

/** Papers listed in an e-mail or JSON digest; the rest are one link away (the ranked listing). */
export const DIGEST_MAX_PAPERS = 50;
/** Slack allows 50 blocks per message: a header, a line, one block per paper and a footer. */
const SLACK_MAX_PAPERS = 20;
/** Discord allows 10 embeds per message. */
const DISCORD_MAX_PAPERS = 10;
/** Authors named before "et al.". */
const AUTHORS_SHOWN = 6;

export interface DigestPaper {
  id: string;
  title: string;
  authors: string[];
  /** 0..1, as the badges show it in percent. */
  score: number;
  /** Why it scored so, in words (the card's explanation as text). */
  why: string;
  /** The FAQ's one-line TL;DR, when the paper has an FAQ. */
  tldr: string | null;
  url: string;
  arxivUrl: string;
  pdfUrl: string;
}

export interface Digest {
  topic: { id: string; name: string; url: string };
  /** The announced day, YYYY-MM-DD. */
  date: string;
  /** Papers listed score at least this (0..1). */
  threshold: number;
  /** Papers of the day at or above the threshold (the digest lists at most DIGEST_MAX_PAPERS). */
  total: number;
  papers: DigestPaper[];
  /** The day's listing ranked by the topic, from the threshold up. */
  listUrl: string;
  /** Turns this digest off on its channel, no sign-in needed. */
  unsubscribeUrl: string;
}

export function buildDigest(input: {
  topic: { id: string; name: string };
  date: string;
  threshold: number;
  total: number;
  papers: ScoredPaper[];
  baseUrl: string;
  listPath: string;
  unsubscribeUrl: string;
}): Digest {
  const base = input.baseUrl.replace(/\/+$/, "");
  return {
    topic: { ...input.topic, url: `${base}/topics/${input.topic.id}` },
    date: input.date,
    threshold: input.threshold,
    total: input.total,
    papers: input.papers.slice(0, DIGEST_MAX_PAPERS).map((p) => ({
      id: p.id,
      title: p.title,
      authors: p.authors,
      score: p.relevance.score,
      why: explanationText(p.relevance),
      tldr: p.tldr,
      url: `${base}/papers/${p.id}`,
      arxivUrl: `https://arxiv.org/abs/${p.id}`,
      pdfUrl: `https://arxiv.org/pdf/${p.id}`,
    })),
    listUrl: `${base}${input.listPath}`,
    unsubscribeUrl: input.unsubscribeUrl,
  };
}

const authorLine = (authors: string[]) =>
  authors.length > AUTHORS_SHOWN ? `${authors.slice(0, AUTHORS_SHOWN).join(", ")} et al.` : authors.join(", ");
/** Header text: no line breaks or other control characters (a topic name is free text). */
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").trim();

const countLine = (d: Digest) =>
  `${d.total} ${d.total === 1 ? "paper" : "papers"} scoring at least ${pct(d.threshold)} on ${d.date}` +
  (d.total > d.papers.length ? ` (the best ${d.papers.length} below)` : "");

// ── E-mail ──────────────────────────────────────────────────────────────────────────────────────

export interface DigestEmail {
  subject: string;
  text: string;
  html: string;
}

/** "<topic>: 3 new papers on 2031-02-03", on one line: the mail's subject, the chat message's heading. */
const headline = (d: Digest) => oneLine(`${d.topic.name}: ${d.total} new ${d.total === 1 ? "paper" : "papers"} on ${d.date}`);

export function digestEmail(d: Digest): DigestEmail {
  const subject = headline(d);
  const text = [
    `${oneLine(d.topic.name)} — ${countLine(d)}`,
    "",
    ...d.papers.flatMap((p, i) => [
      `${i + 1}. ${oneLine(p.title)}`,
      `   ${authorLine(p.authors)}`,
      `   Score ${pct(p.score)}${p.why ? ` — ${p.why}` : ""}`,
      ...(p.tldr ? [`   TL;DR: ${oneLine(p.tldr)}`] : []),
      `   ${p.url}`,
      `   arXiv: ${p.arxivUrl} · PDF: ${p.pdfUrl}`,
      "",
    ]),
    `The day ranked by this topic: ${d.listUrl}`,
    `Topic settings: ${d.topic.url}`,
    "",
    `You get this because the daily e-mail digest is on for the topic "${oneLine(d.topic.name)}".`,
    `Unsubscribe (no sign-in needed): ${d.unsubscribeUrl}`,
    "",
  ].join("\n");

  const e = escapeHtml;
  const muted = "color:#5f6368;font-size:14px;margin:2px 0";
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(subject)}</title></head>
<body style="margin:0;padding:16px;background:#fbfbfa;color:#1d1d1f;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.45">
<div style="max-width:640px;margin:0 auto">
<h1 style="font-size:20px;margin:0 0 4px">${e(d.topic.name)}</h1>
<p style="${muted}">${e(countLine(d))}</p>
${d.papers
  .map(
    (p) => `<div style="background:#fff;border:1px solid #e2e2e0;border-radius:8px;padding:12px 14px;margin:12px 0">
<h2 style="font-size:16px;margin:0 0 4px"><a href="${e(p.url)}" style="color:#1a56b0;text-decoration:none">${e(p.title)}</a></h2>
<p style="${muted}">${e(authorLine(p.authors))}</p>
<p style="font-size:14px;margin:6px 0"><strong style="background:#b31b1b;color:#fff;border-radius:4px;padding:0 6px">${pct(p.score)}</strong> ${e(p.why)}</p>
${p.tldr ? `<p style="font-size:14px;margin:6px 0"><strong>TL;DR:</strong> ${e(p.tldr)}</p>` : ""}
<p style="font-size:14px;margin:6px 0"><a href="${e(p.url)}" style="color:#1a56b0">Open</a> · <a href="${e(p.arxivUrl)}" style="color:#1a56b0">arXiv</a> · <a href="${e(p.pdfUrl)}" style="color:#1a56b0">PDF</a></p>
</div>`,
  )
  .join("\n")}
<p style="font-size:14px"><a href="${e(d.listUrl)}" style="color:#1a56b0">The day ranked by this topic</a> · <a href="${e(d.topic.url)}" style="color:#1a56b0">Topic settings</a></p>
<p style="${muted}">You get this because the daily e-mail digest is on for the topic “${e(d.topic.name)}”. <a href="${e(d.unsubscribeUrl)}" style="color:#1a56b0">Unsubscribe</a> (no sign-in needed).</p>
</div></body></html>
`;
  return { subject, text, html };
}

// ── Webhooks ────────────────────────────────────────────────────────────────────────────────────

/** Slack's mrkdwn: only &, < and > are special (they would start a link or a mention such as <!channel>). */
const slackEscape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
/** Discord's markdown characters, escaped with a backslash; mentions are off through allowed_mentions. */
const discordEscape = (text: string) => text.replace(/[\\*_~`|>#\[\]]/g, "\\$&");
const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The body posted to the webhook, for its format. */
export function webhookBody(d: Digest, format: WebhookFormat): unknown {
  if (format === "slack") return slackBody(d);
  if (format === "discord") return discordBody(d);
  return {
    type: "paper-triage.digest",
    topic: d.topic,
    date: d.date,
    threshold: d.threshold,
    total: d.total,
    papers: d.papers.map((p) => ({ ...p, score: Math.round(p.score * 10_000) / 10_000 })),
    listUrl: d.listUrl,
    unsubscribeUrl: d.unsubscribeUrl,
  };
}

function slackBody(d: Digest) {
  const papers = d.papers.slice(0, SLACK_MAX_PAPERS);
  const heading = cut(headline(d), 150);
  return {
    text: heading,
    unfurl_links: false,
    unfurl_media: false,
    blocks: [
      { type: "header", text: { type: "plain_text", text: heading } },
      { type: "context", elements: [{ type: "mrkdwn", text: slackEscape(countLine({ ...d, papers })) }] },
      ...papers.map((p) => ({
        type: "section",
        text: {
          type: "mrkdwn",
          text: cut(
            [
              `*<${p.url}|${slackEscape(oneLine(p.title))}>*`,
              slackEscape(authorLine(p.authors)),
              `Score ${pct(p.score)}${p.why ? ` · ${slackEscape(p.why)}` : ""}`,
              ...(p.tldr ? [`_TL;DR: ${slackEscape(oneLine(p.tldr))}_`] : []),
              `<${p.arxivUrl}|arXiv> · <${p.pdfUrl}|PDF>`,
            ].join("\n"),
            3_000,
          ),
        },
      })),
      {
        type: "context",
        elements: [{ type: "mrkdwn", text: `<${d.listUrl}|The day ranked by this topic> · <${d.unsubscribeUrl}|Stop these posts>` }],
      },
    ],
  };
}

function discordBody(d: Digest) {
  const papers = d.papers.slice(0, DISCORD_MAX_PAPERS);
  return {
    content: cut(
      `**${discordEscape(oneLine(d.topic.name))}**: ${discordEscape(countLine({ ...d, papers }))}\n` +
        `<${d.listUrl}> · stop these posts: <${d.unsubscribeUrl}>`,
      2_000,
    ),
    // Titles and names are the papers' and the reader's text: never a ping of @everyone or a role.
    allowed_mentions: { parse: [] },
    embeds: papers.map((p) => ({
      title: cut(oneLine(p.title), 256),
      url: p.url,
      description: cut(
        [
          discordEscape(authorLine(p.authors)),
          `Score ${pct(p.score)}${p.why ? ` · ${discordEscape(p.why)}` : ""}`,
          ...(p.tldr ? [`TL;DR: ${discordEscape(oneLine(p.tldr))}`] : []),
          `[arXiv](${p.arxivUrl}) · [PDF](${p.pdfUrl})`,
        ].join("\n"),
        4_000,
      ),
    })),
  };
}
