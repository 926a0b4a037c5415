// Shown on the account pages when this server cannot run accounts (no AUTH_SECRET in production):
// what is wrong, and that browsing still works.
import Link from "next/link";

export function AccountsUnavailable({ problem }: { problem: string }) {
  return (
    <section className="auth-page" role="alert" aria-labelledby="accounts-off-title">
      <h1 id="accounts-off-title">Accounts are not available</h1>
      <p>Signing in is switched off on this server until its operator fixes the configuration:</p>
      <p className="form-error">{problem}</p>
      <p>
        Browsing needs no account: <Link href="/">today&apos;s papers</Link> are still here.
      </p>
    </section>
  );
}
