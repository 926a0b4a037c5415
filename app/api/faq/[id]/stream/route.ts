// GET /api/faq/<id>/stream: a FAQ as Server-Sent Events. First everything stored so far (the
// questions, the status, the text of each answer), then what changes, read by polling the one row
// every ~100 ms (a primary-key read; the worker writes partial text every ~250 ms). Events:
//   questions {questions}          the list, sent first (a reconnecting client starts over from it)
//   status    {status, position}   queued (position in the line, 1 = next) or running
//   delta     {index, text, reset?} new text of answer `index` since the last event; with `reset`,
//                                  `text` replaces the answer (the LLM restarted it)
//   done      {tldr, sourceNote}   every answer is complete; the stream ends (sourceNote: what the
//                                  model read, e.g. the PDF's full text, or null for title + abstract)
//   failed    {error, answers}     the generation failed; `answers` keeps only complete ones; ends
// Ends too when the client goes away (request.signal).
import { queuePosition } from "@/lib/faq/request";
import { getFaqById, type FaqRecord } from "@/lib/queries/faqs";
import { appQueue } from "@/lib/queue";

export const dynamic = "force-dynamic";

const POLL_MS = 100;
const POSITION_EVERY_MS = 1_000;
/** A stream is closed after this long; EventSource reconnects and gets everything again. */
const MAX_STREAM_MS = 10 * 60_000;

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  const first = await getFaqById(id);
  if (!first) return Response.json({ error: "There is no such FAQ." }, { status: 404 });

  const encoder = new TextEncoder();
  const signal = request.signal;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send = (event: string, data: unknown) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
        } catch {
          open = false;
        }
      };
      const close = () => {
        if (!open) return;
        open = false;
        try {
          controller.close();
        } catch {
          // already closed by the client going away
        }
      };
      signal.addEventListener("abort", close, { once: true });

      const sent: string[] = [];
      let lastStatus = "";
      let lastPosition: number | null | undefined;
      let positionAt = 0;
      let lastUpdated = 0;
      const started = Date.now();

      const emit = async (faq: FaqRecord): Promise<boolean> => {
        if (faq.status === "queued" || faq.status === "running") {
          let position: number | null = null;
          if (faq.status === "queued" && Date.now() - positionAt >= POSITION_EVERY_MS) {
            positionAt = Date.now();
            position = await queuePosition(appQueue(), faq.id).catch(() => null);
          } else if (faq.status === "queued") position = lastPosition ?? null;
          if (faq.status !== lastStatus || position !== lastPosition) {
            send("status", { status: faq.status, position });
            lastStatus = faq.status;
            lastPosition = position;
          }
        }
        if (faq.status === "failed") {
          send("failed", { error: faq.error ?? "The FAQ could not be generated.", answers: faq.answers });
          return true;
        }
        for (const [index, answer] of faq.answers.entries()) {
          const before = sent[index] ?? "";
          if (answer.answer === before) continue;
          if (answer.answer.startsWith(before)) send("delta", { index, text: answer.answer.slice(before.length) });
          else send("delta", { index, text: answer.answer, reset: true });
          sent[index] = answer.answer;
        }
        if (faq.status === "done") {
          send("done", { tldr: faq.tldr, sourceNote: faq.sourceNote });
          return true;
        }
        return false;
      };

      try {
        send("questions", { questions: first.answers.map((a) => a.question), version: first.version, language: first.language });
        let faq: FaqRecord | null = first;
        while (open && faq) {
          if (faq.updatedAt.getTime() !== lastUpdated || faq.status === "queued") {
            lastUpdated = faq.updatedAt.getTime();
            if (await emit(faq)) break;
          }
          if (Date.now() - started > MAX_STREAM_MS) break;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          if (!open) break;
          faq = await getFaqById(id);
        }
        if (open && !faq) send("failed", { error: "This FAQ was removed.", answers: [] });
      } catch (error) {
        send("failed", { error: `The server could not read the FAQ: ${(error as Error).message}`, answers: [] });
      } finally {
        signal.removeEventListener("abort", close);
        close();
      }
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      "x-accel-buffering": "no",
    },
  });
}
