"use client";
// Behaviour for every server-rendered paper card on the page, by event delegation: the star (an
// optimistic toggle through the toggleStar server action, rolled back with the reason when it
// fails), sign-in-to-star links that come back here, and Copy / BibTeX to the clipboard. Keyboard
// shortcuts ask for a star toggle with a `paper:toggle-star` event on the card. Topic buttons label the
// paper for a topic ("Add to …", "Not interested"); starring on a listing ranked by a topic also adds
// the paper to it. A saved label (or a star that added to a topic) is announced with
// TOPIC_LABELLED_EVENT, so the listing's RetrainBanner follows the model's update and re-ranks.
import { useRouter } from "next/navigation";
import { useEffect } from "react";
import { toggleStar } from "@/app/stars/actions";
import { labelTopicPaper } from "@/app/topics/actions";
import { TOPIC_LABELLED_EVENT, type TopicLabelledDetail } from "@/app/topics/model-watch";

export const TOGGLE_STAR_EVENT = "paper:toggle-star";

function announceLabel(topicId: string, paperId: string) {
  document.dispatchEvent(new CustomEvent<TopicLabelledDetail>(TOPIC_LABELLED_EVENT, { detail: { topicId, paperId } }));
}

function setStar(button: HTMLButtonElement, on: boolean) {
  const title = button.getAttribute("aria-label")?.replace(/^(Unstar|Star) /, "") ?? "";
  button.setAttribute("aria-pressed", String(on));
  button.setAttribute("aria-label", `${on ? "Unstar" : "Star"} ${title}`);
  button.title = on ? "Unstar" : "Star";
  button.firstElementChild!.textContent = on ? "★" : "☆";
}

async function toggle(card: HTMLElement, after?: () => void) {
  const button = card.querySelector<HTMLButtonElement>("[data-action=star]");
  if (!button) {
    card.querySelector<HTMLAnchorElement>("[data-action=sign-in-to-star]")?.click();
    return;
  }
  if (button.dataset.pending) return;
  // The place for a failed star's reason is made when first needed (cards do not carry an empty one).
  let error = card.querySelector(".star-error");
  if (!error) {
    error = document.createElement("span");
    error.className = "star-error";
    error.setAttribute("role", "status");
    error.setAttribute("aria-live", "polite");
    button.after(error);
  }
  const wanted = button.getAttribute("aria-pressed") !== "true";
  setStar(button, wanted);
  button.dataset.pending = "1";
  if (error) error.textContent = "";
  let result: Awaited<ReturnType<typeof toggleStar>>;
  // A listing ranked by a topic: its buttons carry the topic, and a star adds the paper to it.
  const topicId = card.querySelector<HTMLElement>(".relevance ~ .topic-actions")?.dataset.topic;
  try {
    result = await toggleStar(card.dataset.paperId!, wanted, wanted ? topicId : undefined);
  } catch {
    result = { error: "The server could not be reached. Try again." };
  }
  delete button.dataset.pending;
  if ("error" in result) {
    setStar(button, !wanted);
    if (error) error.textContent = result.error;
  } else {
    setStar(button, result.starred);
    if (result.addedTo) {
      const positive = card.querySelector<HTMLButtonElement>(`.topic-actions[data-topic="${result.addedTo}"] [data-label=positive]`);
      if (positive) showLabel(card, positive.closest<HTMLElement>(".topic-actions")!, "positive");
      announceLabel(result.addedTo, card.dataset.paperId!);
    }
    after?.();
  }
}

function showLabel(card: HTMLElement, group: HTMLElement, label: "positive" | "negative" | null) {
  const name = group.dataset.topicName ?? "";
  for (const b of group.querySelectorAll<HTMLButtonElement>("[data-action=topic-label]")) {
    const on = b.dataset.label === label;
    b.setAttribute("aria-pressed", String(on));
    // Buttons of the "Add to topic" menu keep the topic's name; the selected topic's pair says its state.
    if (!group.closest(".topic-menu")) {
      b.textContent = b.dataset.label === "positive" ? (on ? `In ${name}` : `Add to ${name}`) : on ? "Marked not interested" : "Not interested";
    }
  }
  if (!group.closest(".topic-menu")) card.classList.toggle("not-interested", label === "negative");
}

async function label(card: HTMLElement, button: HTMLButtonElement) {
  const group = button.closest<HTMLElement>(".topic-actions");
  if (!group || button.dataset.pending) return;
  const status = card.querySelector(".topic-status");
  const wanted = button.dataset.label as "positive" | "negative";
  // Pressing a pressed button takes the label away again.
  const next = button.getAttribute("aria-pressed") === "true" ? null : wanted;
  button.dataset.pending = "1";
  let result: Awaited<ReturnType<typeof labelTopicPaper>>;
  try {
    result = await labelTopicPaper(group.dataset.topic!, card.dataset.paperId!, next);
  } catch {
    result = { error: "The server could not be reached. Try again." };
  }
  delete button.dataset.pending;
  const name = group.dataset.topicName ?? "";
  if ("error" in result) {
    if (status) status.textContent = result.error;
    return;
  }
  showLabel(card, group, next);
  announceLabel(group.dataset.topic!, card.dataset.paperId!);
  if (status) status.textContent = next === "positive" ? `Added to ${name}` : next === "negative" ? `Not interested (${name})` : `Removed from ${name}`;
}

/** The card's "Copied" line, made on first use (a page of cards does not carry one each). */
function copyStatus(card: HTMLElement): HTMLElement {
  let status = card.querySelector<HTMLElement>(".copied");
  if (!status) {
    status = document.createElement("span");
    status.className = "copied";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    card.querySelector(".paper-links")?.append(status);
  }
  return status;
}

async function copy(card: HTMLElement, format: "text" | "bibtex") {
  const status = copyStatus(card);
  try {
    const response = await fetch(`/api/cite?id=${encodeURIComponent(card.dataset.paperId!)}&format=${format}`);
    if (!response.ok) throw new Error(await response.text());
    await navigator.clipboard.writeText(await response.text());
    if (status) status.textContent = format === "bibtex" ? "BibTeX copied" : "Copied";
  } catch {
    if (status) status.textContent = "Copy failed: select the text instead";
  }
  setTimeout(() => status && (status.textContent = ""), 2_000);
}

/**
 * `refreshAfterStar`: re-render the page from the server after a star changes (the Starred page,
 * where an unstarred paper leaves). Elsewhere the page is left alone: a listing keeps the papers
 * it loaded while scrolling.
 */
export function CardActions({ refreshAfterStar = false }: { refreshAfterStar?: boolean }) {
  const router = useRouter();
  useEffect(() => {
    const after = refreshAfterStar ? () => router.refresh() : undefined;
    const onClick = (event: MouseEvent) => {
      const target = (event.target as HTMLElement).closest<HTMLElement>("[data-action]");
      const card = target?.closest<HTMLElement>("article.paper-card");
      if (!target || !card) return;
      switch (target.dataset.action) {
        case "star":
          event.preventDefault();
          void toggle(card, after);
          break;
        case "sign-in-to-star":
          (target as HTMLAnchorElement).href = `/sign-in?next=${encodeURIComponent(window.location.pathname + window.location.search)}`;
          break;
        case "topic-label":
          event.preventDefault();
          void label(card, target as HTMLButtonElement);
          break;
        case "copy":
        case "bibtex":
          void copy(card, target.dataset.action === "copy" ? "text" : "bibtex");
          break;
      }
    };
    const onToggle = (event: Event) => {
      const card = (event.target as HTMLElement).closest<HTMLElement>("article.paper-card");
      if (card) void toggle(card, after);
    };
    document.addEventListener("click", onClick);
    document.addEventListener(TOGGLE_STAR_EVENT, onToggle);
    return () => {
      document.removeEventListener("click", onClick);
      document.removeEventListener(TOGGLE_STAR_EVENT, onToggle);
    };
  }, [refreshAfterStar, router]);
  return null;
}
