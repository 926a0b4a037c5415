// The FAQ's questions, languages and prompts: the default question set (overridable with
// FAQ_QUESTIONS), a stable hash naming a question set (Faq.questionSet, so a changed set makes a new
// FAQ instead of mixing answers), and the messages sent for one question (one LLM call each).
// Pure: safe to import from the web side (no LLM client here).
import { createHash } from "node:crypto";
import type { ChatMessage } from "../llm/types";

export const DEFAULT_QUESTIONS: readonly string[] = [
  "What problem does the paper try to solve?",
  "What related work is there?",
  "How does the paper solve the problem?",
  "What experiments were run?",
  "What could be explored further?",
  "Summarise the main content.",
];

export const FAQ_LANGUAGES = ["en", "zh"] as const;
export type FaqLanguage = (typeof FAQ_LANGUAGES)[number];

/** Names shown in the language choice and told to the model. */
export const LANGUAGE_NAMES: Record<FaqLanguage, { label: string; prompt: string }> = {
  en: { label: "English", prompt: "English" },
  zh: { label: "中文", prompt: "Simplified Chinese (简体中文)" },
};

export function isFaqLanguage(value: string): value is FaqLanguage {
  return (FAQ_LANGUAGES as readonly string[]).includes(value);
}

/** The configured questions: FAQ_QUESTIONS ("|"-separated) when set, else the defaults. */
export function questionsFrom(override: readonly string[] | undefined): readonly string[] {
  return override && override.length > 0 ? override : DEFAULT_QUESTIONS;
}

/**
 * A short stable name for a question set: the same questions in the same order always hash the
 * same (whitespace-trimmed), so FAQs made before a restart are found again.
 */
export function questionSetHash(questions: readonly string[]): string {
  const canonical = JSON.stringify(questions.map((q) => q.trim()));
  return `q1-${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}

export interface PaperForPrompt {
  id: string;
  version: number;
  title: string;
  abstract: string;
}

/**
 * System + user messages for one question about one paper, answered in `language`. With `fullText`
 * (the PDF's text, already fitted to the token budget) the model reads the paper, not only its
 * abstract.
 */
export function buildPrompt(paper: PaperForPrompt, question: string, language: FaqLanguage, fullText?: string): ChatMessage[] {
  const lang = LANGUAGE_NAMES[language].prompt;
  const basis = fullText ? "the title, abstract and full text given" : "the title and abstract given";
  return [
    {
      role: "system",
      content:
        "You are a careful research assistant who answers questions about one scientific paper for " +
        `readers triaging new arXiv papers. Base your answer on ${basis}; when ` +
        "they do not say, state that plainly instead of inventing details. Answer in Markdown " +
        "(short paragraphs or bullet lists, no top-level headings). Write mathematics in LaTeX " +
        `between single dollar signs, like $E = mc^2$. Answer in ${lang}.`,
    },
    {
      role: "user",
      content:
        `Paper: arXiv:${paper.id}v${paper.version}\n` +
        `Title: ${paper.title}\n\n` +
        `Abstract:\n${paper.abstract}\n\n` +
        (fullText ? `Full text (extracted from the PDF; it may be cut short):\n${fullText}\n\n` : "") +
        `Question: ${question}\n\n` +
        `Answer in ${lang}, in Markdown, concisely.`,
    },
  ];
}
