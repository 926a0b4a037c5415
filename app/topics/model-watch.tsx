"use client";
// Watching a topic's model while the worker retrains it (GET /api/topics/<id>/model, every 1.5 s for
// at most 2 minutes):
// - TrainingStatus: "Updating the model…" on the topics pages; when the update is done the page is
//   rendered again from the server (router.refresh), which then shows the new model.
// - RetrainBanner: above a listing ranked by the topic, while its model is updated (at first render,
//   or after the reader labels a paper from a card: card-actions.tsx sends TOPIC_LABELLED_EVENT).
//   When the model is ready the page is reloaded, re-ranked, and scrolled back to the card the reader
//   was at (remembered in sessionStorage across the reload), which keyboard navigation continues from.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { LOAD_ALL_EVENT } from "../components/more-papers";

/** Sent on the document by card-actions.tsx after a label (or a star adding to a topic) was saved. */
export const TOPIC_LABELLED_EVENT = "topic:labelled";
export type TopicLabelledDetail = { topicId: string; paperId: string };

const POLL_MS = 1_500;
const GIVE_UP_MS = 2 * 60_000;
const RETURN_KEY = "paper-triage:rerank-return";

export interface ModelAnswer {
  state: "none" | "training" | "ready";
  trainedAt: string | null;
  positives: number;
  negatives: number;
  background: number;
  note: string | null;
}

type Watch = "watching" | "slow" | "gone";

/**
 * Polls the topic's model while `run` is non-zero (a new value starts a new 2-minute window) and
 * calls `onSettled` with each answer whose state is no longer "training"; polling stops when it
 * returns true ("done"), else goes on (the caller re-renders and unmounts this when its page
 * agrees, or waits for a better answer). "gone": the topic was deleted or the reader signed out.
 */
function useModelWatch(topicId: string, run: number, onSettled: (answer: ModelAnswer) => boolean): Watch {
  const [watch, setWatch] = useState<Watch>("watching");
  const settled = useRef(onSettled);
  useEffect(() => {
    settled.current = onSettled;
  });
  useEffect(() => {
    if (!run) return;
    setWatch("watching");
    const started = Date.now();
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        const response = await fetch(`/api/topics/${encodeURIComponent(topicId)}/model`, { cache: "no-store" });
        if (stopped) return;
        if (response.status === 401 || response.status === 404) {
          setWatch("gone");
          return;
        }
        if (response.ok) {
          const answer = (await response.json()) as ModelAnswer;
          if (stopped) return;
          if (answer.state !== "training" && settled.current(answer)) return;
        }
      } catch {
        // The server could not be reached this time: asked again at the next tick.
      }
      if (stopped) return;
      if (Date.now() - started >= GIVE_UP_MS) setWatch("slow");
      else timer = setTimeout(tick, POLL_MS);
    };
    timer = setTimeout(tick, POLL_MS);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [topicId, run]);
  return watch;
}

/** "Updating the model…" (or `text`) while the page shows the topic in training; refreshes the page when done. */
export function TrainingStatus({ topicId, text = "Updating the model…", className }: { topicId: string; text?: string; className?: string }) {
  const router = useRouter();
  const watch = useModelWatch(topicId, 1, () => {
    router.refresh();
    return false;
  });
  if (watch === "gone") return null;
  return (
    <span role="status" className={className}>
      {watch === "slow" ? (
        <>
          {"The update is taking longer than usual. "}
          <a href="" onClick={(e) => (e.preventDefault(), router.refresh())}>Check again</a>
        </>
      ) : (
        text
      )}
    </span>
  );
}

interface Position {
  /** The page it was saved on (path and query): only that page scrolls back. */
  url: string;
  /** The card the reader was at, then the cards after and before it (one of them may have moved off the page). */
  ids: string[];
  /** Where that card's top was in the window. */
  top: number;
  /** Whether it was the keyboard's current card. */
  current: boolean;
}

const here = () => window.location.pathname + window.location.search;
const visibleCards = () => [...document.querySelectorAll<HTMLElement>("article.paper-card")].filter((c) => !c.closest("[hidden]"));

/**
 * Remembers where the reader is: the keyboard's current card when it is on screen, else the card
 * just labelled when it is, else the first card whose top half is in the window.
 */
function savePosition(labelled: string | null) {
  const list = visibleCards();
  const onScreen = (c: HTMLElement | undefined) => {
    const r = c?.getBoundingClientRect();
    return Boolean(r && r.bottom > 0 && r.top < window.innerHeight);
  };
  const current = list.find((c) => c.classList.contains("current"));
  const last = list.find((c) => c.dataset.paperId === labelled);
  const anchor = onScreen(current)
    ? current
    : onScreen(last)
      ? last
      : list.find((c) => {
          const r = c.getBoundingClientRect();
          return r.top + r.height / 2 > 0;
        });
  if (!anchor) return;
  const i = list.indexOf(anchor);
  // A paper marked not interested sinks to the bottom (it scores 0): the reader goes on from the next one.
  const ids = [...list.slice(i, i + 15), ...list.slice(Math.max(0, i - 5), i).reverse()]
    .filter((c) => !c.classList.contains("not-interested"))
    .map((c) => c.dataset.paperId!)
    .filter(Boolean);
  // Not above the window's top: a tall card the reader was reading the end of is shown from its start.
  const position: Position = { url: here(), ids, top: Math.max(0, anchor.getBoundingClientRect().top), current: anchor === current };
  try {
    sessionStorage.setItem(RETURN_KEY, JSON.stringify(position));
  } catch {
    // Storage refused (private mode, quota): the page reloads at the top.
  }
}

function restorePosition() {
  let position: Position | null = null;
  try {
    position = JSON.parse(sessionStorage.getItem(RETURN_KEY) ?? "null") as Position | null;
    sessionStorage.removeItem(RETURN_KEY);
  } catch {
    return;
  }
  if (!position?.ids?.length || position.url !== here()) return;
  const { ids, top, current } = position;
  const find = () => {
    const list = visibleCards();
    return ids.map((id) => list.find((c) => c.dataset.paperId === id)).find(Boolean);
  };
  const go = (card: HTMLElement) => {
    window.scrollBy({ top: card.getBoundingClientRect().top - top, behavior: "instant" });
    if (current) {
      card.classList.add("current");
      card.tabIndex = -1;
      card.focus({ preventScroll: true });
    }
  };
  const card = find();
  if (card) return go(card);
  // Further down than the first page of cards: the rest of the list is loaded (MorePapers), then looked at again.
  const papers = document.getElementById("papers");
  if (!papers) return;
  const observer = new MutationObserver(() => {
    const found = find();
    if (found) {
      observer.disconnect();
      go(found);
    }
  });
  observer.observe(papers, { childList: true });
  setTimeout(() => observer.disconnect(), 15_000);
  // After this render's effects: MorePapers listens from its own.
  setTimeout(() => window.dispatchEvent(new Event(LOAD_ALL_EVENT)), 0);
}

/**
 * The banner above a listing ranked by `topicId`. `training`: the page was rendered while the
 * model is updated. Renders nothing while there is nothing to say.
 */
export function RetrainBanner({ topicId, topicName, training }: { topicId: string; topicName: string; training: boolean }) {
  const [run, setRun] = useState(training ? 1 : 0);
  const [failed, setFailed] = useState<string | null>(null);
  const [reloading, setReloading] = useState(false);
  const labelled = useRef<string | null>(null);

  const rerank = useCallback(() => {
    setReloading(true);
    const go = () => {
      // A label or star still being saved would be cut off by the reload: wait for it.
      if (document.querySelector("article.paper-card [data-pending]")) setTimeout(go, 200);
      else {
        savePosition(labelled.current);
        // The browser would scroll the reloaded page to the old offset; restorePosition does instead.
        if ("scrollRestoration" in history) history.scrollRestoration = "manual";
        window.location.reload();
      }
    };
    go();
  }, []);

  // "none" right after a label can be the note of an earlier attempt while the new job waits: it
  // counts only when it is still so a few answers later.
  const nones = useRef(0);
  const watch = useModelWatch(topicId, run, (answer) => {
    if (answer.state === "ready") {
      rerank();
      return true;
    }
    if (++nones.current < 3) return false;
    setRun(0);
    setFailed(answer.note ?? "the model could not be trained");
    return true;
  });

  useEffect(() => {
    // Back from a re-rank: scroll to the card the reader was at; the browser restores scroll
    // positions again once the page has loaded (rerank turned that off for the reload).
    restorePosition();
    const auto = () => "scrollRestoration" in history && (history.scrollRestoration = "auto");
    if (document.readyState === "complete") auto();
    else window.addEventListener("load", auto, { once: true });
    const onLabelled = (event: Event) => {
      const detail = (event as CustomEvent<TopicLabelledDetail>).detail;
      if (detail?.topicId !== topicId) return;
      labelled.current = detail.paperId;
      nones.current = 0;
      setFailed(null);
      setRun((r) => r + 1);
    };
    document.addEventListener(TOPIC_LABELLED_EVENT, onLabelled);
    return () => {
      document.removeEventListener(TOPIC_LABELLED_EVENT, onLabelled);
      window.removeEventListener("load", auto);
    };
  }, [topicId]);

  if (failed) {
    return (
      <p className="retrain-banner retrain-failed" role="status">
        {`${topicName}'s model was not updated: ${failed}.`}
      </p>
    );
  }
  if (!run || watch === "gone") return null;
  return (
    <p className="retrain-banner" role="status">
      {reloading ? (
        "Re-ranking…"
      ) : watch === "slow" ? (
        <>
          {`Updating ${topicName}'s model is taking longer than usual. `}
          <a href="" onClick={(e) => (e.preventDefault(), rerank())}>
            Re-rank now
          </a>
        </>
      ) : (
        <>
          <span className="spinner" aria-hidden="true" />
          {`Updating ${topicName}'s model… the list re-ranks when it is done`}
        </>
      )}
    </p>
  );
}
