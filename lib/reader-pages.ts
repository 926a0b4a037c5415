// One reader's parts of a page rendered for nobody (lib/render/reader-html.ts): used by the web front
// (lib/page-cache.ts) so that a signed-in reader's listing is the kept page with their account
// corner, topic picker, stars and topic menus put into its reader slots, instead of a render of
// their own.
//
// A kept page is prepared once (readerTemplate): cut at its slots, and, when it is kept compressed,
// the parts between slots compressed once, each ending on a byte boundary (a deflate "full flush").
// A reader's page is then those parts with the reader's slot contents between them as stored
// (uncompressed) deflate blocks, and a new gzip trailer whose CRC comes from the parts' CRCs computed
// once: no page is unpacked, searched or compressed again per reader, and the few forms a card's
// slot takes (signed in or not, starred or not, with topics or not) are made once per kept page.
// Per reader, read at most every READER_CACHE_MS: the session (through the auth library, which
// checks the cookie's signature) and one query for the reader's topics and stars.
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
  /** With a compressed page: each part's CRC-32 and the operator that moves a CRC past its length (crcShift). */
  crcs?: { crc: number; shift: Uint32Array }[];
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
  let cardSlotBytes = 0;
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
      if (found) cardSlotBytes += whole.length;
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
  const crcs = gzip ? parts.map((part) => ({ crc: crc32(part), shift: crcShift(part.length) })) : undefined;
  const paperIds = slots.flatMap((s) => (s.kind === "card" ? [s.id] : []));
  // Room for the forms of its cards that readers' pages share (cardFilled): two of each, plain and
  // as stored blocks, about the size of the card slots as rendered for nobody.
  const cardForms = 4 * cardSlotBytes;
  const bytes = parts.reduce((n, p) => n + p.length, 0) + (deflated?.reduce((n, d) => n + d.length, 0) ?? 0) + (crcs?.length ?? 0) * 132 + cardForms;
  return { parts, slots, deflated, crcs, paperIds, bytes };
}

// The gzip trailer's CRC-32 of a reader's page, from the parts' CRCs computed once: the CRC of A then
// B is B's CRC xor A's CRC moved past B's length, a linear map over GF(2) (a 32×32 bit matrix, one
// uint32 a column), as zlib's crc32_combine computes it. Only the reader's own slot contents are run
// through crc32 per page, not the ~80 KB of the whole page. Node's zlib has crc32 but no combine,
// and no package we found offers the precomputed form, so it is written here.

/** The matrix `m` applied to the bit vector `v`. */
function gf2Times(m: Uint32Array, v: number): number {
  let sum = 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= m[i]!;
  return sum >>> 0;
}

/** The product `a`·`b` (b applied first). */
function gf2Product(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(32);
  for (let n = 0; n < 32; n++) out[n] = gf2Times(a, b[n]!);
  return out;
}

/** The operator that moves a CRC-32 past `length` bytes (of zeros: what the CRC of B xors in is the rest). */
export function crcShift(length: number): Uint32Array {
  let result: Uint32Array = new Uint32Array(32).map((_, n) => (1 << n) >>> 0); // identity
  // One zero bit: the reflected polynomial, then shifts; squared three times: one zero byte.
  let power: Uint32Array = new Uint32Array(32).map((_, n) => (n === 0 ? 0xedb88320 : (1 << (n - 1)) >>> 0));
  for (let i = 0; i < 3; i++) power = gf2Product(power, power);
  for (let left = length; left > 0; left = Math.floor(left / 2)) {
    if (left % 2) result = gf2Product(power, result);
    power = gf2Product(power, power);
  }
  return result;
}

/** The CRC-32 of A then B, from A's CRC, B's CRC and the shift for B's length. */
export const crcCombine = (crcA: number, crcB: number, shiftB: Uint32Array) => (gf2Times(shiftB, crcA) ^ crcB) >>> 0;

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

/** A slot's content ready to send: as it is, and (for a compressed page) as stored deflate blocks. */
interface Filled {
  data: Buffer;
  blocks?: Buffer;
}

function filled(text: string, gzip: boolean): Filled {
  const data = Buffer.from(text);
  return gzip && data.length ? { data, blocks: Buffer.concat(storedBlocks(data)) } : { data };
}

/**
 * A card's slot depends on the reader only through whether they are signed in, starred the paper and
 * have a topic (lib/render/reader-html.ts cardReaderHtml): each of those few forms of a card is made
 * once per kept page and shared by every reader it fits, not made again for each reader's page.
 */
const cardForms = new WeakMap<ReaderTemplate, Map<string, Filled>>();

function cardFilled(template: ReaderTemplate, index: number, s: Slot & { kind: "card" }, state: ReaderState, topicMenu: string): Filled {
  let forms = cardForms.get(template);
  if (!forms) cardForms.set(template, (forms = new Map()));
  const key = `${index} ${state.user ? 1 : 0}${state.starred.has(s.id) ? 1 : 0} ${topicMenu}`;
  let form = forms.get(key);
  if (!form) forms.set(key, (form = filled(fill(s, state, topicMenu), Boolean(template.deflated))));
  return form;
}

/**
 * The page of `template` for `state`, as the pieces to send one after the other (gzip when the
 * template was kept compressed).
 */
export function pageChunks(template: ReaderTemplate, state: ReaderState): Buffer[] {
  const topicMenu = state.user ? topicMenuHtml(state.topics) : "";
  const gzip = Boolean(template.deflated);
  const fills = template.slots.map((s, i) => (s.kind === "card" ? cardFilled(template, i, s, state, topicMenu) : filled(fill(s, state, topicMenu), gzip)));
  const chunks: Buffer[] = [];
  if (!gzip) {
    template.parts.forEach((part, i) => {
      chunks.push(part);
      if (fills[i]?.data.length) chunks.push(fills[i]!.data);
    });
  } else {
    chunks.push(GZIP_HEADER);
    let crc = 0;
    let size = 0;
    template.parts.forEach((part, i) => {
      chunks.push(template.deflated![i]!);
      const { crc: partCrc, shift } = template.crcs![i]!;
      crc = crcCombine(crc, partCrc, shift);
      size += part.length;
      const f = fills[i];
      if (f?.blocks) {
        chunks.push(f.blocks);
        crc = crc32(f.data, crc);
        size += f.data.length;
      }
    });
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(size % 2 ** 32, 4);
    chunks.push(trailer);
  }
  return chunks;
}

/** The page of `template` for `state` in one buffer: gzip when the template was kept compressed. */
export function pageFor(template: ReaderTemplate, state: ReaderState): Buffer {
  return Buffer.concat(pageChunks(template, state));
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

/** The kept page of `template` for the reader of `headers`, as the pieces to send. */
export async function pageForReader(headers: IncomingHttpHeaders, template: ReaderTemplate): Promise<{ body: Buffer[]; setCookie: string[] }> {
  const { state, setCookie } = await readerState(headers);
  return { body: pageChunks(template, state), setCookie };
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
