"use client";
// Shown when a page fails on the server (for example, the database is down): what happened and what to try.
import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section className="empty-state" role="alert">
      <h1>Something went wrong</h1>
      <p>
        This page could not be loaded. The most common cause is that the database or the queue is unreachable; the{" "}
        <a href="/api/health">status page</a> says which.
      </p>
      {error.digest ? <p className="muted">Error reference: {error.digest}</p> : null}
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}
