"use client";
// The bodies of the 404, 403 and 401 pages. Client components for the bytes: the root layout
// carries all three boundaries in every page's React payload, and a client component travels
// there as a reference rather than as its whole tree.
import Link from "next/link";
import type { ReactNode } from "react";

function StatusPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="empty-state">
      <title>{`${title} · Paper Triage`}</title>
      <h1>{title}</h1>
      {children}
    </section>
  );
}

export function NotFoundBody() {
  return (
    <StatusPage title="Not found">
      <p>Nothing lives at this address. Check the link, or go back to today&apos;s papers.</p>
      <p>
        <Link href="/">Today&apos;s papers</Link>
      </p>
    </StatusPage>
  );
}

export function ForbiddenBody() {
  return (
    <StatusPage title="Not allowed">
      <p>This page is for administrators. An administrator can give your account the role from the Users page.</p>
      <p>
        <Link href="/">Today&apos;s papers</Link>
      </p>
    </StatusPage>
  );
}

export function UnauthorizedBody() {
  return (
    <StatusPage title="Sign in needed">
      <p>This page is for signed-in readers.</p>
      <p>
        <Link href="/sign-in">Sign in</Link> or <Link href="/sign-up">create an account</Link>.
      </p>
    </StatusPage>
  );
}
