"use client";
// The topic page's "Daily digest" settings: the e-mail digest (to the reader's own address; only when
// this instance has an SMTP server, and once the address is confirmed) and a webhook (generic JSON, Slack or Discord). Submits to the
// saveDigest server action; a refused address comes back in words with what was typed kept.
import { useActionState } from "react";
import { saveDigest, type DigestFormState } from "./digest-actions";

export interface DigestFormValues {
  digestEmail: boolean;
  webhookUrl: string;
  webhookFormat: string;
}

export function DigestForm({
  topicId,
  email,
  smtp,
  confirmed,
  initial,
}: {
  topicId: string;
  email: string;
  smtp: boolean;
  /** The reader's address is confirmed (e-mail digests go to confirmed addresses only). */
  confirmed: boolean;
  initial: DigestFormValues;
}) {
  const [state, action, pending] = useActionState<DigestFormState, FormData>(saveDigest, {});
  const v = state.values ?? initial;
  return (
    <form action={action} className="topic-form digest-form" key={JSON.stringify(state)} aria-label="Daily digest settings">
      <input type="hidden" name="topicId" value={topicId} />
      {smtp ? (
        <label className="check">
          <input type="checkbox" name="digestEmail" defaultChecked={v.digestEmail} />
          <span>
            E-mail me the daily digest <span className="hint">at {email}; every e-mail has a one-click unsubscribe link.</span>
          </span>
        </label>
      ) : null}
      {smtp && !confirmed ? (
        <p className="hint digest-unconfirmed">
          {initial.digestEmail
            ? `Waiting for you to confirm ${email}: open the link we e-mailed you. Nothing is mailed until then; save again for a new link.`
            : `Ticking the box e-mails ${email} a link to confirm the address first: digests go to confirmed addresses only.`}
        </p>
      ) : null}
      {smtp ? null : (
        <p className="hint digest-off">E-mail digests are off on this instance (the administrator has not set up an SMTP server). A webhook still works.</p>
      )}
      <label>
        Webhook address{" "}
        <span className="hint">Optional. The digest is posted here as JSON; Slack and Discord incoming webhooks take their own format.</span>
        <input name="webhookUrl" type="url" inputMode="url" defaultValue={v.webhookUrl} placeholder="https://hooks.slack.com/services/…" />
      </label>
      <label>
        Format
        <select name="webhookFormat" defaultValue={v.webhookFormat}>
          <option value="json">JSON (any receiver)</option>
          <option value="slack">Slack</option>
          <option value="discord">Discord</option>
        </select>
      </label>
      <div>
        <button type="submit" disabled={pending}>{pending ? "Saving…" : "Save digest settings"}</button>{" "}
        {state.error ? <span className="form-error" role="alert">{state.error}</span> : null}
        {state.notice ? <span className="form-notice" role="status">{state.notice}</span> : null}
      </div>
    </form>
  );
}
