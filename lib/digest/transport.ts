// What every e-mail of this app shares: the SMTP transport of SMTP_URL (nodemailer, bounded waits),
// the From, and the one mail the web process sends itself: the link confirming a reader's address
// (better-auth's email verification, lib/auth.ts), which e-mail digests wait for. No `@retry` here:
// the web imports this module, and decorated classes stay in the workers (lib/retry.ts); digests
// are sent, with retries, by lib/digest/mail.ts.
import { createTransport, type Transporter } from "nodemailer";
import type { Env } from "../env";
import { publicUrl } from "../env";

/** A transport for an smtp(s):// address. */
export function smtpTransport(smtpUrl: string): Transporter {
  // Bounded waits: a server that accepts the connection and then says nothing must not hold a
  // digest job (or a reader's Save) for nodemailer's default ten minutes.
  return createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
}

/** The From of the app's e-mails: MAIL_FROM, else the app's name at the public address's host. */
export function mailFrom(config: Env): string {
  if (config.MAIL_FROM) return config.MAIL_FROM;
  const host = new URL(publicUrl(config)).hostname;
  // An address literal or a bare name is no mail domain; "localhost" at least parses everywhere.
  const domain = /^[\d.]+$|^\[|^[^.]+$/.test(host) ? "localhost" : host;
  return `Paper Triage <digests@${domain}>`;
}

let shared: { smtpUrl: string; transport: Transporter } | undefined;

/**
 * Mails `to` the link that confirms the address (made and checked by better-auth: a signed token,
 * valid `validHours`). Throws nodemailer's error when the server does not take it.
 */
export async function sendAddressConfirmation(config: Env & { SMTP_URL: string }, to: string, url: string, validHours: number): Promise<void> {
  if (shared?.smtpUrl !== config.SMTP_URL) shared = { smtpUrl: config.SMTP_URL, transport: smtpTransport(config.SMTP_URL) };
  await shared.transport.sendMail({
    from: mailFrom(config),
    to,
    subject: "Confirm your address for Paper Triage digests",
    text: [
      "You (or someone using this address) turned on a daily e-mail digest on Paper Triage.",
      "",
      `Open this link to confirm the address; the digest starts once it is confirmed (the link works for ${validHours} hours):`,
      url,
      "",
      "If this was not you, ignore this e-mail: nothing is sent to an address that is not confirmed.",
      "",
    ].join("\n"),
    headers: { "Auto-Submitted": "auto-generated" },
  });
}
