// Reader slots (see reader-html.ts): the parts of a page that belong to one reader, marked by two
// HTML comments so the web front can find and fill them in a page rendered for nobody.
import type { PickerContext } from "./reader-html";

/** A slot: `<!--reader:KIND DATA-->content<!--/reader-->`. DATA never holds "-->" (see slotData). */
export const SLOT_PATTERN = /<!--reader:(menu|picker|card)(?: ([^>]*))?-->([\s\S]*?)<!--\/reader-->/g;

/** JSON that can sit inside an HTML comment (">" and "<" escaped, so no "-->" can close it). */
const slotData = (value: unknown) => JSON.stringify(value).replaceAll("<", "\\u003c").replaceAll(">", "\\u003e");

export function slot(kind: "menu", content: string): string;
export function slot(kind: "picker", content: string, data: PickerContext): string;
export function slot(kind: "card", content: string, data: string): string;
export function slot(kind: string, content: string, data?: unknown): string {
  return `<!--reader:${kind}${data === undefined ? "" : ` ${slotData(data)}`}-->${content}<!--/reader-->`;
}

