// The announce-type tabs of a listing and the types each one shows (their keys, the values ?type=
// takes, are checked in lib/query-params.ts).
import type { AnnounceType } from "@/lib/arxiv/types";
import type { ListingTab } from "@/lib/query-params";

export const TABS: { key: ListingTab; label: string; types: AnnounceType[] }[] = [
  { key: "all", label: "All", types: [] },
  { key: "new", label: "New", types: ["new"] },
  { key: "cross", label: "Cross-lists", types: ["cross"] },
  { key: "replace", label: "Replacements", types: ["replace", "replace-cross"] },
];

export function tabFor(key: string | undefined) {
  return TABS.find((t) => t.key === key) ?? TABS[0]!;
}
