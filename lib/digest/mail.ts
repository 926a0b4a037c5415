// Sends digest e-mails through the SMTP server of SMTP_URL (nodemailer): HTML with a plain-text
// part, and the unsubscribe headers mail clients turn into a button (List-Unsubscribe, and RFC 8058's
// List-Unsubscribe-Post for a one-click POST to the same address). A dropped connection or a
// "try later" (4xx) reply is retried by `@retry`; a rejection (5xx) is final. Worker-only: it uses
// the decorator, which app/ code must not import (lib/retry.ts).
import type { Transporter } from "nodemailer";
import type { Env } from "../env";
import { redactUrl } from "../queue";
import { markNonRetryable, NetworkError, retry, type RetryOptions } from "../retry";
import type { DigestEmail } from "./build";
import { mailFrom, smtpTransport } from "./transport";

/** What an SMTP failure carries (nodemailer's errors). */
interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  permanent?: boolean;
}

/** Errors of the connection rather than of what was sent over it, and "try later" replies. */
const TRANSIENT_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS"]);

export function isTransientSmtpError(error: SmtpError): boolean {
  if (error.responseCode !== undefined) return error.permanent === false || (error.responseCode >= 400 && error.responseCode < 500);
  return error.code !== undefined && TRANSIENT_CODES.has(error.code);
}

export class Mailer {
  private readonly transport: Transporter;
  /** Shown in errors and logs: the server without its credentials. */
  readonly server: string;

  constructor(
    smtpUrl: string,
    readonly from: string,
    /** Ends retry waits at shutdown (read by `@retry`). */
    readonly signal?: AbortSignal,
    /** Overrides of the retry options (tests shorten the waits). */
    readonly retryOptions?: RetryOptions,
  ) {
    this.server = redactUrl(smtpUrl);
    this.transport = smtpTransport(smtpUrl);
  }

  /** A mailer for SMTP_URL, or null when it is not set (e-mail digests are then off). */
  static fromEnv(config: Env, signal?: AbortSignal): Mailer | null {
    return config.SMTP_URL ? new Mailer(config.SMTP_URL, mailFrom(config), signal) : null;
  }

  /** Sends one digest; `tries.count` counts the attempts made (for the delivery row). */
  @retry({ retries: 3, minTimeout: 5_000, maxTimeout: 60_000 })
  async send(to: string, email: DigestEmail, unsubscribeUrl: string, tries: { count: number } = { count: 0 }): Promise<void> {
    tries.count += 1;
    try {
      await this.transport.sendMail({
        from: this.from,
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        list: { unsubscribe: { url: unsubscribeUrl, comment: "Unsubscribe" } },
        headers: { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated" },
      });
    } catch (caught) {
      const error = caught as SmtpError;
      if (isTransientSmtpError(error)) throw new NetworkError({ method: "SMTP", url: this.server, cause: error });
      throw markNonRetryable(error);
    }
  }

  close(): void {
    this.transport.close();
  }
}
