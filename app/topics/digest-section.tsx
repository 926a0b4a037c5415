// The topic page's "Daily digest" section: the settings form and the last deliveries (day, channel,
// where it went, what happened), so a failing webhook or mail server shows here, not only in logs.
import { env } from "@/lib/env";
import { getDigestSettings, listDeliveries, type DeliveryRow } from "@/lib/queries/digests";
import { DEFAULT_FEED_THRESHOLD } from "@/lib/topics/blend";
import { DigestForm } from "./digest-form";
import { thresholdParam } from "./listing";

const threshold = thresholdParam(DEFAULT_FEED_THRESHOLD);

function outcome(d: DeliveryRow): string {
  const papers = `${d.papers} ${d.papers === 1 ? "paper" : "papers"}`;
  if (d.status === "sent") return `sent, ${papers}${d.attempts > 1 ? ` (after ${d.attempts} attempts)` : ""}`;
  if (d.status === "empty") return `nothing scored ${threshold} or more: nothing sent`;
  if (d.status === "sending") return "being sent";
  return `failed after ${d.attempts} ${d.attempts === 1 ? "attempt" : "attempts"}${d.error ? `: ${d.error}` : ""}`;
}

export async function DigestSection({ userId, email, topicId }: { userId: string; email: string; topicId: string }) {
  const [settings, deliveries] = await Promise.all([getDigestSettings(userId, topicId), listDeliveries(userId, topicId)]);
  if (!settings) return null;
  return (
    <section aria-labelledby="digest-title" className="topic-digest">
      <h2 id="digest-title">Daily digest</h2>
      <p className="muted">
        Once a day, after arXiv&apos;s announcement is crawled and scored: the day&apos;s papers scoring {threshold} or more for this
        topic, with why, the TL;DR when a paper has an FAQ, and links. Nothing is sent on a day where none does.
      </p>
      <DigestForm
        topicId={topicId}
        email={email}
        smtp={Boolean(env().SMTP_URL)}
        confirmed={settings.emailVerified}
        initial={{ digestEmail: settings.digestEmail, webhookUrl: settings.webhookUrl ?? "", webhookFormat: settings.webhookFormat }}
      />
      <h3>Last deliveries</h3>
      {deliveries.length === 0 ? (
        <p className="muted">None yet. The first digest goes out after the next announced day is crawled.</p>
      ) : (
        <ul className="deliveries" aria-label="Last digest deliveries">
          {deliveries.map((d) => (
            <li key={`${d.date}:${d.channel}`} className={`delivery delivery-${d.status}`}>
              <time dateTime={d.date}>{d.date}</time>{" "}
              <span className="badge">{d.channel === "email" ? "e-mail" : "webhook"}</span>{" "}
              {d.target ? <span className="muted">to {d.target}</span> : null} <span className="delivery-outcome">{outcome(d)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
