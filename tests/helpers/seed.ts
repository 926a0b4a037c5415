// Seed data for page and query tests: papers with random ids announced on a random day, so tests
// sharing one database never see each other's rows.
import { randomInt } from "node:crypto";
import type { AnnounceType, ParsedEntry } from "../../lib/arxiv/types";
import { upsertEntries } from "../../lib/queries/papers";

/** A random day between 1990 and 2089 (no real listing lives there). */
export function randomDay(): string {
  const y = 1990 + randomInt(100);
  const m = 1 + randomInt(12);
  const d = 1 + randomInt(28);
  return `${y}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A random id in arXiv's new style (YYMM.NNNNN): one in 8 billion chance of meeting another. */
export function randomPaperId(): string {
  const yymm = `${randomInt(15, 99)}${String(randomInt(1, 13)).padStart(2, "0")}`;
  return `${yymm}.${String(randomInt(0, 100_000)).padStart(5, "0")}`;
}

export function entry(overrides: Partial<ParsedEntry> & { id: string }): ParsedEntry {
  return {
    version: 1,
    announceType: "new" as AnnounceType,
    title: `Paper ${overrides.id}`,
    abstract: `Abstract of ${overrides.id}.`,
    authors: ["Ada Lovelace"],
    categories: overrides.primaryCategory ? [overrides.primaryCategory] : ["cs.CL"],
    primaryCategory: "cs.CL",
    ...overrides,
  };
}

/** Stores entries as the listing of `categories` on `date`. */
export async function seedListing(entries: ParsedEntry[], categories: string[], date: string) {
  return upsertEntries(entries, { categories, date });
}

/** Stores papers of the given texts as the listing of `category` on `date`, each of that category alone. */
export async function seedPapers(papers: { id: string; title: string; abstract: string }[], category: string, date: string) {
  return seedListing(
    papers.map((p) => entry({ id: p.id, title: p.title, abstract: p.abstract, primaryCategory: category, categories: [category] })),
    [category],
    date,
  );
}
