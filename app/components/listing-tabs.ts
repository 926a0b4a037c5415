// The announce-type tabs of a listing and the types each one shows.
import type { AnnounceType } from "@/lib/arxiv/types";

export const TABS: { key: string; label: string; types: AnnounceType[] }[] = [
  { key: "all", label: "All", types: [] },
  { key: "new", label: "New", types: ["new"] },
  { key: "cross", label: "Cross-lists", types: ["cross"] },
  { key: "replace", label: "Replacements", types: ["replace", "replace-cross"] },
];

export function tabFor(key: string | undefined) {
  return TABS.find((t) => t.key === key) ?? TABS[0]!;
}
