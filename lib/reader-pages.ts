// One reader's parts of a page rendered for nobody (lib/render/reader-html.ts): used by the web front
// (lib/page-cache.ts) so that a signed-in reader's listing is the kept page with their account
// corner, topic picker, stars and topic menus put into its reader slots, instead of a render of
// their own.
//
// A kept page is prepared once (readerTemplate): cut at its slots, and, when it is kept compressed,
// the parts between slots compressed once, each ending on a byte boundary (a deflate "full flush").
// A reader's page is then those parts with the reader's slot contents between them as stored
// (uncompressed) deflate blocks, and a new gzip trailer: no page is unpacked, searched or compressed
// again per reader. Per reader, read at most every READER_CACHE_MS: the session (through the auth
// library, which checks the cookie's signature) and one query for the reader's topics and stars.
import type { IncomingHttpHeaders } from "node:http";
import { constants, crc32, deflateRawSync, gunzipSync } from "node:zlib";
import { getAuth, authConfigProblem, type CurrentUser } from "./auth";
import { readerSlotData } from "./queries/topics";
import { titleOfSignedOutStar } from "./render/card-html";
import { cardReaderHtml, topicPickerHtml, userMenuHtml, type PickerContext, type ReaderState } from "./render/reader-html";
import { SLOT_PATTERN, slot } from "./render/reader-slot";
import { isSessionCookie } from "./session-cookie";
import { topicMenuHtml } from "./topics/card-html";

/** A slot of a kept page: what it needs to be filled for a reader. */
type Slot = { kind: "menu" } | { kind: "picker"; context: PickerContext } | { kind: "card"; id: string; title: string };

export interface ReaderTemplate {
  /** The page's text between slots (one more than slots). */
  parts: Buffer[];
  slots: Slot[];
  /** With a compressed page: each part compressed on its own, ending on a byte boundary; the last one final. */
  deflated?: Buffer[];
  /** The papers whose cards have a slot. */
  paperIds: string[];
  /** What it holds in memory (the web front counts it against its limit). */
  bytes: number;
}

/** Cuts a kept page (its body as kept: gzip or not) at its reader slots. */
export function readerTemplate(body: Buffer, gzip: boolean): ReaderTemplate {
  const html = (gzip ? gunzipSync(body) : body).toString("utf8");
  const parts: Buffer[] = [];
  const slots: Slot[] = [];
  let last = 0;
  for (const match of html.matchAll(SLOT_PATTERN)) {
    const [whole, kind, data, content] = match as unknown as [string, string, string | undefined, string];
    let found: Slot | undefined;
    if (kind === "menu") found = { kind };
    else if (kind === "picker" && data) found = { kind, context: JSON.parse(data) as PickerContext };
    else if (kind === "card" && data) {
      // Only a card rendered for nobody names its title in its star; any other is left as it is.
      const title = titleOfSignedOutStar(content);
      if (title !== undefined) found = { kind, id: JSON.parse(data) as string, title };
    }
    if (!found) continue;
    parts.push(Buffer.from(html.slice(last, match.index)));
    slots.push(found);
    last = match.index + whole.length;
  }
  parts.push(Buffer.from(html.slice(last)));
  const deflated = gzip
    ? parts.map((part, i) => deflateRawSync(part, { finishFlush: i === parts.length - 1 ? constants.Z_FINISH : constants.Z_FULL_FLUSH }))
    : undefined;
  const paperIds = slots.flatMap((s) => (s.kind === "card" ? [s.id] : []));
  const bytes = parts.reduce((n, p) => n + p.length, 0) + (deflated?.reduce((n, d) => n + d.length, 0) ?? 0);
  return { parts, slots, deflated, paperIds, bytes };
}

/** A slot's content for `state`, marked as a slot again (so the page can be filled once more). */
function fill(s: Slot, state: ReaderState, topicMenu: string): string {
  if (s.kind === "menu") return slot("menu", userMenuHtml(state.user));
  if (s.kind === "picker") return slot("picker", topicPickerHtml(state.user, { ...s.context, topics: state.topics }), s.context);
  return slot("card", cardReaderHtml(s.id, s.title, state, topicMenu), s.id);
}

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0xff]);

/** Deflate "stored" blocks (not final) holding `data`: no compression, at a byte boundary. */
function storedBlocks(data: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += 0xffff) {
    const piece = data.subarray(at, Math.min(data.length, at + 0xffff));
    const head = Buffer.alloc(5);
    head[0] = 0; // BFINAL 0, BTYPE 00 (stored); the rest of the byte is padding
    head.writeUInt16LE(piece.length, 1);
    head.writeUInt16LE(piece.length ^ 0xffff, 3);
    out.push(head, piece);
  }
  return out;
}

/** The page of `template` for `state`: gzip when the template was kept compressed. */
export function pageFor(template: ReaderTemplate, state: ReaderState): Buffer {
  const topicMenu = state.user ? topicMenuHtml(state.topics) : "";
  const fills = template.slots.map((s) => Buffer.from(fill(s, state, topicMenu)));
  if (!template.deflated) return Buffer.concat(template.parts.flatMap((part, i) => (i < fills.length ? [part, fills[i]!] : [part])));
  const chunks: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  template.parts.forEach((part, i) => {
    chunks.push(template.deflated![i]!);
    crc = crc32(part, crc);
    size += part.length;
    const f = fills[i];
    if (f && f.length) {
      chunks.push(...storedBlocks(f));
      crc = crc32(f, crc);
      size += f.length;
    }
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  chunks.push(trailer);
  return Buffer.concat(chunks);
}

/**
 * How long a reader's session, topics and stars, once read, are taken at their word. Any request of
 * theirs that may change them (not a GET or HEAD: a star, a label, a new topic, signing out) passing
 * through the front forgets them at once (forgetReader), so a reader sees their own changes on the
 * next page; a change made elsewhere (another replica, an admin disabling the account) shows within
 * this time.
 */
const READER_CACHE_MS = 5_000;
const READER_CACHE_MAX = 10_000;
interface KnownReader {
  at: number;
  state: ReaderState;
}
const known = new Map<string, KnownReader>();

/** The auth library's cookies in a Cookie header (lib/auth.ts cookiePrefix), as one key. */
function sessionKey(headers: IncomingHttpHeaders): string {
  return (headers.cookie ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter(isSessionCookie)
    .sort()
    .join("; ");
}

/** Forgets what was read of this request's reader (they are changing something, or signing in or out). */
export function forgetReader(headers: IncomingHttpHeaders): void {
  const key = sessionKey(headers);
  if (key) known.delete(key);
}

/** The reader a request's cookies name (null: nobody, or a session that is over), with a renewed session's cookies. */
async function readerOf(headers: IncomingHttpHeaders): Promise<{ user: CurrentUser | null; setCookie: string[] }> {
  // This process cannot read sessions (no secret): the reader's own render says what they are.
  const problem = authConfigProblem();
  if (problem) throw new Error(problem);
  const request = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) request.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const { headers: answer, response: session } = await getAuth().api.getSession({ headers: request, returnHeaders: true });
  const setCookie = answer.getSetCookie();
  // As lib/auth.ts userFromHeaders: a session of a disabled account is none.
  if (!session || (session.user.banned && (!session.user.banExpires || new Date(session.user.banExpires).getTime() > Date.now()))) {
    return { user: null, setCookie };
  }
  const u = session.user;
  return { user: { id: u.id, email: u.email, name: u.name, role: u.role === "admin" ? "admin" : "user" }, setCookie };
}

/** What the reader of `headers` is (read at most every READER_CACHE_MS), with a renewed session's cookies. */
async function readerState(headers: IncomingHttpHeaders): Promise<{ state: ReaderState; setCookie: string[] }> {
  const key = sessionKey(headers);
  const seen = known.get(key);
  if (seen && Date.now() - seen.at < READER_CACHE_MS) return { state: seen.state, setCookie: [] };
  const { user, setCookie } = await readerOf(headers);
  const state: ReaderState = user ? { user, ...(await readerSlotData(user.id)) } : { user: null, topics: [], starred: new Set() };
  if (known.size >= READER_CACHE_MAX) known.delete(known.keys().next().value!);
  known.set(key, { at: Date.now(), state });
  return { state, setCookie };
}

/** The kept page of `template` for the reader of `headers`. */
export async function pageForReader(headers: IncomingHttpHeaders, template: ReaderTemplate): Promise<{ body: Buffer; setCookie: string[] }> {
  const { state, setCookie } = await readerState(headers);
  return { body: pageFor(template, state), setCookie };
}

/**
 * Where the reader of `headers` goes instead of `url`, or undefined: "/" itself (no query) is the
 * inbox of a reader with topics, as app/page.tsx decides when Next.js renders it. Read from the same
 * per-session data as the slots, so the redirect costs no query of its own.
 */
export async function readerRedirect(headers: IncomingHttpHeaders, url: string): Promise<{ location: string; setCookie: string[] } | undefined> {
  if (url !== "/") return undefined;
  const { state, setCookie } = await readerState(headers);
  return state.user && state.topics.length ? { location: "/inbox", setCookie } : undefined;
}
