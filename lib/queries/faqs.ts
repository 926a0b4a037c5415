// FAQ rows: find or create the FAQ of one paper version × question set × language × model, and the
// worker's writes while generating (partial answer text, tokens, done/failed). `answers` holds one
// entry per question from creation on; an entry is complete only when `done` is true, so text a
// stopped worker left half-written is never shown or kept as an answer.
import { Prisma } from "../generated/prisma/client";
import { db } from "../db";

export type FaqStatus = "queued" | "running" | "done" | "failed";

export interface FaqAnswer {
  question: string;
  answer: string;
  /** True once the whole answer arrived; partial text while generating has false. */
  done: boolean;
}

export interface FaqRecord {
  id: string;
  paperId: string;
  version: number;
  questionSet: string;
  language: string;
  model: string;
  status: FaqStatus;
  answers: FaqAnswer[];
  tldr: string | null;
  error: string | null;
  promptTokens: number;
  completionTokens: number;
  /** What the model read (full text, cut or not, or why only the abstract); null: title and abstract. */
  sourceNote: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FaqKey {
  paperId: string;
  version: number;
  questionSet: string;
  language: string;
  model: string;
}

type FaqRow = Prisma.FaqGetPayload<object>;

/** Reads `answers` defensively: it is JSON, written only here, but old rows may lack `done`. */
function parseAnswers(value: Prisma.JsonValue): FaqAnswer[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => {
    const o = (item && typeof item === "object" && !Array.isArray(item) ? item : {}) as Record<string, unknown>;
    return {
      question: typeof o.question === "string" ? o.question : "",
      answer: typeof o.answer === "string" ? o.answer : "",
      done: o.done === true,
    };
  });
}

function toRecord(row: FaqRow): FaqRecord {
  return { ...row, status: row.status as FaqStatus, answers: parseAnswers(row.answers) };
}

const keyWhere = (key: FaqKey) => ({ paperId_version_questionSet_language_model: key });

export async function findFaq(
  paperId: string,
  version: number,
  questionSet: string,
  language: string,
  model: string,
): Promise<FaqRecord | null> {
  const row = await db().faq.findUnique({ where: keyWhere({ paperId, version, questionSet, language, model }) });
  return row ? toRecord(row) : null;
}

/**
 * The FAQ for `key`, created (queued, one empty answer per question) when missing. Race-safe: the
 * insert is ON CONFLICT DO NOTHING on the unique key, so simultaneous callers all get the same row;
 * `created` is true for exactly one of them.
 */
export async function getOrCreateFaq(
  key: FaqKey,
  questions: readonly string[],
): Promise<{ faq: FaqRecord; created: boolean }> {
  const answers = questions.map((question) => ({ question, answer: "", done: false }));
  const { count } = await db().faq.createMany({ data: [{ ...key, answers }], skipDuplicates: true });
  const row = await db().faq.findUnique({ where: keyWhere(key) });
  if (!row) throw new Error(`FAQ for ${key.paperId}v${key.version} vanished right after it was created`);
  return { faq: toRecord(row), created: count === 1 };
}

export async function getFaqById(id: string): Promise<FaqRecord | null> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const row = await db().faq.findUnique({ where: { id } });
  return row ? toRecord(row) : null;
}

/**
 * Marks a queued (or, after a worker stopped mid-way, still running) FAQ as running. Returns false
 * when it is done or failed already: a stale job then has nothing to do.
 */
export async function markFaqRunning(faqId: string): Promise<boolean> {
  const { count } = await db().faq.updateMany({
    where: { id: faqId, status: { in: ["queued", "running"] } },
    data: { status: "running", error: null },
  });
  return count === 1;
}

/**
 * Stores answer `index`'s text so far (or its whole text with `done`). One statement on one element
 * of the JSON array, so readers polling the row see the text grow.
 */
export async function saveAnswerProgress(faqId: string, index: number, text: string, done = false): Promise<void> {
  await db().$executeRaw`
    UPDATE faqs
       SET answers = jsonb_set(
             answers,
             ARRAY[${String(index)}]::text[],
             jsonb_build_object('question', answers -> ${index}::int -> 'question', 'answer', ${text}::text, 'done', ${done}::boolean)
           ),
           updated_at = now()
     WHERE id = ${faqId}::uuid AND jsonb_array_length(answers) > ${index}::int`;
}

/** Adds the token counts of one LLM call. */
export async function addTokens(faqId: string, promptTokens: number, completionTokens: number): Promise<void> {
  await db().faq.update({
    where: { id: faqId },
    data: { promptTokens: { increment: promptTokens }, completionTokens: { increment: completionTokens } },
  });
}

/** Records what the model reads for this FAQ (see Faq.sourceNote). */
export async function setFaqSourceNote(faqId: string, note: string | null): Promise<void> {
  await db().faq.update({ where: { id: faqId }, data: { sourceNote: note } });
}

/** Every answer is complete: done (with an optional one-line summary). */
export async function finishFaq(faqId: string, tldr?: string | null): Promise<void> {
  await db().faq.update({ where: { id: faqId }, data: { status: "done", error: null, tldr: tldr ?? null } });
}

/** Failed for good with a message for the reader; partial text of unfinished answers is dropped. */
export async function failFaq(faqId: string, message: string): Promise<void> {
  await db().$executeRaw`
    UPDATE faqs
       SET status = 'failed',
           error = ${message},
           answers = COALESCE((
             SELECT jsonb_agg(CASE WHEN (a ->> 'done')::boolean IS TRUE THEN a
                                   ELSE jsonb_build_object('question', a -> 'question', 'answer', '', 'done', false) END
                              ORDER BY i)
               FROM jsonb_array_elements(answers) WITH ORDINALITY AS t(a, i)), '[]'::jsonb),
           updated_at = now()
     WHERE id = ${faqId}::uuid`;
}

/**
 * Puts a failed FAQ (or, with `regenerate`, a done one: all answers cleared) back in the queue.
 * Conditional on the current status, so of many simultaneous retries exactly one returns true.
 * A retry keeps the answers that were complete: only the rest are asked again.
 */
export async function resetFaq(faqId: string, options: { regenerate?: boolean } = {}): Promise<boolean> {
  if (options.regenerate) {
    const count = await db().$executeRaw`
      UPDATE faqs
         SET status = 'queued', error = NULL, tldr = NULL, prompt_tokens = 0, completion_tokens = 0, source_note = NULL,
             answers = COALESCE((
               SELECT jsonb_agg(jsonb_build_object('question', a -> 'question', 'answer', '', 'done', false) ORDER BY i)
                 FROM jsonb_array_elements(answers) WITH ORDINALITY AS t(a, i)), '[]'::jsonb),
             updated_at = now()
       WHERE id = ${faqId}::uuid AND status IN ('done', 'failed')`;
    return count === 1;
  }
  const { count } = await db().faq.updateMany({
    where: { id: faqId, status: "failed" },
    data: { status: "queued", error: null },
  });
  return count === 1;
}

/**
 * The newest finished FAQ for this paper in `language` (any version, question set or model): shown
 * as "made for v1" when the current version has none yet.
 */
export async function latestFaqFor(paperId: string, language?: string): Promise<FaqRecord | null> {
  const row = await db().faq.findFirst({
    where: { paperId, status: "done", ...(language ? { language } : {}) },
    orderBy: [{ version: "desc" }, { updatedAt: "desc" }],
  });
  return row ? toRecord(row) : null;
}

/** What an FAQ prompt needs of a paper: its current version's title and abstract. */
export async function getPaperForFaq(
  paperId: string,
): Promise<{ id: string; version: number; title: string; abstract: string } | null> {
  const row = await db().paper.findUnique({
    where: { id: paperId },
    select: { id: true, latestVersion: true, title: true, abstract: true },
  });
  return row ? { id: row.id, version: row.latestVersion, title: row.title, abstract: row.abstract } : null;
}

const HOUR_MS = 3_600_000;

/**
 * Counts a new FAQ generation against `userId`'s hourly limit: when fewer than `limit` were started
 * in the past hour, records this one and returns its id; otherwise records nothing and returns
 * `{ refused }` with the count and when the next one will be allowed. Serialised per user by a transaction-scoped advisory lock, so
 * simultaneous requests (from any number of web processes) cannot all slip under the limit.
 */
export async function takeFaqRequest(
  userId: string,
  paperId: string,
  limit: number,
): Promise<{ id: string } | { refused: true; count: number; retryAt: Date }> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`faq-requests:${userId}`}))`;
    const since = { userId, createdAt: { gt: new Date(Date.now() - HOUR_MS) } };
    const count = await tx.faqRequest.count({ where: since });
    if (count >= limit) {
      // A slot frees up when the oldest request counted leaves the hour.
      const oldest = await tx.faqRequest.findFirst({ where: since, orderBy: { createdAt: "asc" }, select: { createdAt: true } });
      return { refused: true as const, count, retryAt: new Date((oldest?.createdAt.getTime() ?? Date.now()) + HOUR_MS) };
    }
    const row = await tx.faqRequest.create({ data: { userId, paperId }, select: { id: true } });
    return { id: row.id };
  });
}

/** Links a counted request to the FAQ it started. */
export async function attachFaqRequest(requestId: string, faqId: string): Promise<void> {
  await db().faqRequest.update({ where: { id: requestId }, data: { faqId } });
}
