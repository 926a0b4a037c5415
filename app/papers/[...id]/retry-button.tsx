"use client";
// "Try again" for a failed fetch of a paper.
import { useState, useTransition } from "react";
import { retryPaperFetch } from "./actions";

export function RetryButton({ id }: { id: string }) {
  const [pending, start] = useTransition();
  const [error, setError] = useState<string>();
  return (
    <p>
      <button type="button" disabled={pending} onClick={() => start(async () => setError((await retryPaperFetch(id)).error))}>
        {pending ? "Asking arXiv…" : "Try again"}
      </button>
      {error ? <span role="alert"> {error}</span> : null}
    </p>
  );
}
