// Paper opens, counted for popularity without slowing the page that records them: a signed-in
// reader's view of a paper's page adds (reader, paper, version) to a buffer in this process, and
// one timer writes the whole buffer FLUSH_MS later with one statement (lib/queries/popularity.ts
// writeOpens). The page never waits for the database. An open is the reader's own seen mark with
// `opened_at` set, so nothing is stored beyond the marks readers have anyway.
//
// - A reader opening a paper again before the flush is one entry (the buffer is keyed by reader
//   and paper); Next.js rendering a page twice for one view is harmless for the same reason, and
//   the seen mark's key makes repeats across flushes harmless too.
// - The buffer is bounded (MAX_BUFFERED readers × papers): past it, opens are dropped and the next
//   flush logs how many, rather than memory growing while the database is away.
// - A flush that fails is logged and forgotten; it never reaches a page.
// - On shutdown: recordOpen returns the promise of the flush that will write the open, and the page
//   hands it to Next.js's after() (lib/popularity/page-open.ts), which Next.js waits for before the
//   process exits on SIGTERM or SIGINT (scripts/web.ts and `npm start` stop it so). flushOpens()
//   writes at once, for scripts and tests.
import { childLogger } from "../logger";
import { writeOpens, type PaperOpen } from "../queries/popularity";

const log = childLogger("popularity");

/** How long opens wait in the buffer: one statement per this many milliseconds at most. */
export const FLUSH_MS = 2_000;
/** Most opens kept waiting; past this, new ones are dropped until the next flush. */
export const MAX_BUFFERED = 10_000;

let buffer = new Map<string, PaperOpen>();
let dropped = 0;
let timer: NodeJS.Timeout | undefined;
/** Resolves once the flush the buffered opens wait for has run (never rejects). */
let next: { promise: Promise<void>; resolve: () => void } | undefined;

/**
 * Counts a reader's open of a paper (its `version`, the one shown). Returns at once; the promise
 * settles once the open is written or the write failed (it never rejects).
 */
export function recordOpen(userId: string, paperId: string, version: number, at = Date.now()): Promise<void> {
  const key = `${userId}\u0000${paperId}`;
  const known = buffer.get(key);
  if (known) known.version = Math.max(known.version, version);
  else if (buffer.size >= MAX_BUFFERED) dropped += 1;
  else buffer.set(key, { userId, paperId, version, at });
  return scheduled();
}

/** The promise of the coming flush, arming its timer if none is armed. */
function scheduled(): Promise<void> {
  if (!next) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    next = { promise, resolve };
    // Not unref'd: a process that would otherwise exit writes its opens first.
    timer = setTimeout(() => void flushOpens(), FLUSH_MS);
  }
  return next.promise;
}

/** Opens waiting to be written (for tests and the log). */
export function bufferedOpens(): number {
  return buffer.size;
}

/** Writes the buffered opens now (one statement); resolves when done, also when the write failed. */
export async function flushOpens(): Promise<void> {
  if (timer) clearTimeout(timer);
  timer = undefined;
  const waiting = next;
  next = undefined;
  const opens = [...buffer.values()];
  const lost = dropped;
  buffer = new Map();
  dropped = 0;
  try {
    if (lost) log.warn({ dropped: lost, limit: MAX_BUFFERED }, "paper opens dropped: the buffer was full (the database may be slow or away)");
    if (opens.length) await writeOpens(opens);
  } catch (error) {
    log.warn({ opens: opens.length, err: error instanceof Error ? error.message : String(error) }, "paper opens could not be written; they are not counted");
  } finally {
    waiting?.resolve();
  }
}
