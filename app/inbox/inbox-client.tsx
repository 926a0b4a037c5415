"use client";
// The inbox's behaviour in the browser: marks a card seen when it has scrolled past (its top left
// the viewport upwards) or when the keys move off it (KeyboardNav's LEAVE_CARD_EVENT); x (or the
// card's "Mark unseen" button) toggles it back, and a card marked unseen stays so for this page. The
// marks go to POST /api/seen in batches: at most every SEND_MS, one request after another (a batch
// is read when its turn comes, so the reader's last action for a paper is the last to arrive), and at
// once when the page is left (fetch with keepalive, which outlives the page). A batch that fails for
// want of the server (no answer, 5xx, 429) is sent again with the next; one refused (another 4xx) is
// dropped; a 401 means the reader was signed out: nothing more is sent.
// Also keeps the visit's start for reloads (./visit.ts).
import { useEffect, useState } from "react";
import { MAX_SEEN_BATCH as BATCH } from "@/lib/seen-batch";
import { LEAVE_CARD_EVENT, TOGGLE_SEEN_EVENT } from "../components/keyboard-nav";
import { VISIT_COOKIE, VISIT_SECONDS } from "./visit";

const SEND_MS = 2_000;

/** One request's worth: papers to mark `seen` (or unseen), with the number of the action that set each. */
interface Part {
  ids: string[];
  seen: boolean;
  action: number[];
}

export function InboxClient({ visit }: { visit: string }) {
  const [problem, setProblem] = useState("");

  useEffect(() => {
    const secure = window.location.protocol === "https:" ? "; secure" : "";
    document.cookie = `${VISIT_COOKIE}=${encodeURIComponent(visit)}; path=/inbox; max-age=${VISIT_SECONDS}; samesite=lax${secure}`;
  }, [visit]);

  useEffect(() => {
    const list = document.getElementById("papers");
    if (!list) return;
    /** Paper id → the state to send. */
    const pending = new Map<string, boolean>();
    /** Paper id → the number of the reader's latest action on it (a failed send is retried only if still the latest). */
    const latest = new Map<string, number>();
    let actions = 0;
    /** Papers the reader marked unseen on this page: scrolling or moving past them leaves them so. */
    const keptUnseen = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    /** The batches, one after another: each starts when the one before has its answer. */
    let queue: Promise<void> = Promise.resolve();
    /** Signed out (a 401): the marks stay on the page, none is sent any more. */
    let signedOut = false;

    /** null: stored; else the answer's status (0: no answer) and what went wrong. */
    const post = async (paperIds: string[], seen: boolean, keepalive: boolean): Promise<{ status: number; message: string } | null> => {
      try {
        const response = await fetch("/api/seen", {
          method: "POST",
          keepalive,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ paperIds, seen }),
        });
        if (response.ok) return null;
        const body = (await response.json().catch(() => null)) as { error?: string } | null;
        return { status: response.status, message: body?.error ?? `HTTP ${response.status}` };
      } catch (error) {
        return { status: 0, message: (error as Error).message };
      }
    };

    const deliver = async ({ ids, seen, action }: Part, keepalive: boolean) => {
      if (signedOut) return;
      const failure = await post(ids, seen, keepalive);
      if (!failure) return setProblem("");
      if (failure.status === 401) {
        signedOut = true;
        pending.clear();
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        return setProblem("You were signed out, so the papers you pass are no longer marked seen. Sign in again to keep track.");
      }
      if (failure.status >= 400 && failure.status < 500 && failure.status !== 429) {
        // Refused as it is: sending it again would only be refused again.
        return setProblem(`Could not save which papers you have seen (${failure.message}).`);
      }
      // Sent again with the next batch, unless the reader acted on the paper since (that state goes instead).
      ids.forEach((id, i) => {
        if (latest.get(id) === action[i]) pending.set(id, seen);
      });
      setProblem(`Could not save which papers you have seen (${failure.message}); trying again.`);
      schedule();
    };

    /** What is pending now, as requests of at most BATCH papers (each paper once: they may go in any order). */
    const takePending = () => {
      const batch = [...pending];
      pending.clear();
      const parts: Part[] = [];
      for (const seen of [true, false]) {
        const ids = batch.filter(([, s]) => s === seen).map(([id]) => id);
        for (let i = 0; i < ids.length; i += BATCH) {
          const chunk = ids.slice(i, i + BATCH);
          parts.push({ ids: chunk, seen, action: chunk.map((id) => latest.get(id) ?? 0) });
        }
      }
      return parts;
    };

    /** Queues a batch: what is pending when its turn comes, sent part after part. */
    const send = (keepalive = false) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      queue = queue.then(async () => {
        for (const part of takePending()) await deliver(part, keepalive);
      });
    };
    /**
     * The page is going away (or hidden, perhaps for good): what is pending goes now, all parts at once
     * with keepalive, as the page may not live to its turn in the queue. Its papers are all different,
     * so its parts may arrive in any order; only a paper acted on again while a batch with it is still
     * on its way could arrive before that batch.
     */
    const sendNow = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      if (signedOut) return;
      for (const part of takePending()) void deliver(part, true);
    };
    const schedule = () => {
      if (signedOut) return;
      if (pending.size >= BATCH) send();
      else timer ??= setTimeout(() => send(), SEND_MS);
    };

    const itemOf = (card: Element) => card.closest<HTMLElement>("li.inbox-item");
    const mark = (card: HTMLElement, seen: boolean) => {
      const item = itemOf(card);
      const id = card.dataset.paperId;
      if (!item || !id || item.classList.contains("is-seen") === seen) return;
      item.classList.toggle("is-seen", seen);
      const toggle = item.querySelector<HTMLButtonElement>("[data-action=toggle-seen]");
      if (toggle) toggle.textContent = seen ? "Mark unseen" : "Mark seen";
      if (signedOut) return;
      latest.set(id, ++actions);
      pending.set(id, seen);
      schedule();
    };
    const toggle = (card: HTMLElement) => {
      const id = card.dataset.paperId ?? "";
      const seen = !itemOf(card)?.classList.contains("is-seen");
      if (seen) keptUnseen.delete(id);
      else keptUnseen.add(id);
      mark(card, seen);
    };
    const passed = (card: HTMLElement) => {
      if (!keptUnseen.has(card.dataset.paperId ?? "")) mark(card, true);
    };

    // Fires as a card's visible share crosses these steps; a card whose top is above the viewport has been scrolled past.
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (entry.boundingClientRect.top < (entry.rootBounds?.top ?? 0)) passed(entry.target as HTMLElement);
        }
      },
      { threshold: [0, 0.25, 0.5, 0.75, 1] },
    );
    for (const card of list.querySelectorAll<HTMLElement>("li.inbox-item > article.paper-card")) observer.observe(card);

    const onLeave = (event: Event) => {
      const card = event.target as HTMLElement;
      if (itemOf(card)) passed(card);
    };
    const onToggle = (event: Event) => {
      const card = event.target as HTMLElement;
      if (itemOf(card)) toggle(card);
    };
    const onClick = (event: MouseEvent) => {
      const button = (event.target as Element | null)?.closest("[data-action=toggle-seen]");
      const card = button ? itemOf(button)?.querySelector<HTMLElement>("article.paper-card") : null;
      if (card) toggle(card);
    };
    const onHide = () => sendNow();
    const onVisibility = () => document.visibilityState === "hidden" && sendNow();
    list.addEventListener(LEAVE_CARD_EVENT, onLeave);
    list.addEventListener(TOGGLE_SEEN_EVENT, onToggle);
    list.addEventListener("click", onClick);
    window.addEventListener("pagehide", onHide);
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      observer.disconnect();
      list.removeEventListener(LEAVE_CARD_EVENT, onLeave);
      list.removeEventListener(TOGGLE_SEEN_EVENT, onToggle);
      list.removeEventListener("click", onClick);
      window.removeEventListener("pagehide", onHide);
      document.removeEventListener("visibilitychange", onVisibility);
      // Leaving by a client-side navigation: what is pending still goes, in its turn (the app lives on).
      send(true);
    };
  }, []);

  return (
    <p className="form-error inbox-problem" role="status" aria-live="polite" hidden={!problem}>
      {problem}
    </p>
  );
}
