// A fake OpenAI-compatible LLM for tests: a real HTTP server (node:http on 127.0.0.1, random port)
// that speaks `POST /v1/chat/completions` (streaming SSE and plain JSON) and `GET /v1/models`, answers
// each call from a script of behaviours, and records every call. No mocks of fetch or of `openai`.
//
//   const llm = await startFakeLlm({ default: { text: "Hello there." } });
//   const client = new LlmClient({ baseUrl: llm.url, apiKey: "sk-test", ... }); // llm.url ends in /v1
//   llm.enqueue({ status: 429, retryAfter: "1" }, { text: "Second try.", chunkDelayMs: 20 });
//   await client.streamChat(messages, { onDelta });
//   llm.calls.length;                      // 2: every call, in arrival order
//   llm.completionCalls().length;          // only POST /v1/chat/completions
//   await llm.waitForCalls(1);             // resolves once that many completion calls arrived
//   await llm.close();
//
// Behaviours (`FakeLlmBehaviour`), one per completion call: queued ones first (`enqueue`, or `script`
// at start), then the default. A behaviour may also be a function of the recorded call (answer from
// the prompt: `(call) => ({ text: call.lastUserMessage.toUpperCase() })`), sync or async.
// - `{ text, chunkSize?, firstTokenDelayMs?, chunkDelayMs?, finishReason?, usage? }`: a normal answer
//   cut into chunks of `chunkSize` characters (default 8). Delays make it as slow as a test needs
//   (e.g. `chunkDelayMs: 50` keeps a generation in flight long enough to pile 50 requests on it).
//   `finishReason: "length"` imitates an answer that hit the token limit; `null` a stream that ends
//   with [DONE] but no finish_reason.
// - `{ status, retryAfter?, message? }`: an error response in OpenAI's JSON shape (429, 500, 400...).
// - `{ cut: true, afterChunks, text? }`: sends `afterChunks` chunks, then destroys the socket
//   (no finish_reason, no [DONE]).
// - `{ hang: true, afterChunks? }`: never answers (default), or stalls after `afterChunks` chunks.
// - `{ empty: true }`: a complete answer with no text (finish_reason "stop").
// Streaming follows OpenAI: `data: {chat.completion.chunk}\n\n` events, a last chunk with
// finish_reason, a usage chunk (`choices: []`) when `stream_options.include_usage`, then `data: [DONE]`.
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface FakeLlmAnswer {
  text: string;
  /** Characters per streamed chunk. Default 8. */
  chunkSize?: number;
  /** Wait before the first chunk (after the response headers). */
  firstTokenDelayMs?: number;
  /** Wait between chunks. */
  chunkDelayMs?: number;
  /** Default "stop". null: no chunk carries a finish_reason, though the stream ends with [DONE]. */
  finishReason?: "stop" | "length" | "content_filter" | null;
  /** Reported token counts; default: words in the prompt, and the number of chunks. */
  usage?: { promptTokens: number; completionTokens: number };
}

export type FakeLlmBehaviour =
  | FakeLlmAnswer
  | { status: number; retryAfter?: string; message?: string }
  | { cut: true; afterChunks: number; text?: string; chunkSize?: number; chunkDelayMs?: number }
  | { hang: true; afterChunks?: number; text?: string; chunkSize?: number }
  | { empty: true };

export type FakeLlmStep = FakeLlmBehaviour | ((call: FakeLlmCall) => FakeLlmBehaviour | Promise<FakeLlmBehaviour>);

export interface FakeLlmMessage {
  role: string;
  content: string;
}

export interface FakeLlmCall {
  method: string;
  /** e.g. "/v1/chat/completions". */
  path: string;
  /** Lower-cased names, as node:http gives them (`headers.authorization` is "Bearer <key>"). */
  headers: IncomingHttpHeaders;
  /** performance.now() when the request's headers arrived (same clock as the test's). */
  at: number;
  /** The parsed JSON body ({} for GET). */
  body: Record<string, unknown>;
  messages: FakeLlmMessage[];
  model: string | undefined;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  temperature: number | undefined;
  /** Content of the last user message ("" when none): handy for answering from the prompt. */
  lastUserMessage: string;
  /** performance.now() when the client went away before the answer was complete, if it did. */
  disconnectedAt: number | undefined;
  /** performance.now() when the answer was completely sent, if it was. */
  finishedAt: number | undefined;
}

export interface FakeLlm {
  /** Base URL for OPENAI_BASE_URL / LlmClient, e.g. "http://127.0.0.1:41234/v1". */
  url: string;
  /** Every request (completions and models), in arrival order. */
  calls: FakeLlmCall[];
  /** Only the POST /v1/chat/completions calls: what "how many LLM calls" means. */
  completionCalls(): FakeLlmCall[];
  /** Resolves when at least `count` completion calls have arrived; rejects after `timeoutMs` (default 5000). */
  waitForCalls(count: number, timeoutMs?: number): Promise<FakeLlmCall[]>;
  /** Queues behaviours for the next completion calls, after those already queued. */
  enqueue(...steps: FakeLlmStep[]): void;
  /** Replaces the behaviour used once the queue is empty. */
  setDefault(step: FakeLlmStep): void;
  /** Queued behaviours not used yet. */
  pending(): number;
  /** Closes the server and every open connection (hanging answers included). */
  close(): Promise<void>;
}

export interface FakeLlmOptions {
  /** Used when the queue is empty. Default `{ text: "This is a fake answer." }`. */
  default?: FakeLlmStep;
  /** Initial queue. */
  script?: FakeLlmStep[];
  /** The model `GET /v1/models` lists. Default "fake-model". */
  model?: string;
}

const DEFAULT_STEP: FakeLlmStep = { text: "This is a fake answer." };

export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const queue: FakeLlmStep[] = [...(options.script ?? [])];
  let defaultStep: FakeLlmStep = options.default ?? DEFAULT_STEP;
  const modelName = options.model ?? "fake-model";
  const calls: FakeLlmCall[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  let closed = false;
  let sequence = 0;

  const delay = (ms: number | undefined): Promise<void> =>
    new Promise((resolve) => {
      if (!ms || ms <= 0 || closed) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A bug in the fake must show up in the test, not as a hanging request.
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake LLM failed: ${String(error)}`, type: "fake_error" } });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === "object" && parsed !== null) body = parsed as Record<string, unknown>;
      } catch {
        sendJson(res, 400, { error: { message: "fake LLM: the body is not JSON", type: "invalid_request_error" } });
        return;
      }
    }
    const messages = Array.isArray(body.messages)
      ? body.messages.map((m: unknown) => {
          const record = (typeof m === "object" && m !== null ? m : {}) as Record<string, unknown>;
          return { role: String(record.role ?? ""), content: typeof record.content === "string" ? record.content : "" };
        })
      : [];
    const streamOptions = (typeof body.stream_options === "object" && body.stream_options !== null ? body.stream_options : {}) as Record<string, unknown>;
    const call: FakeLlmCall = {
      method: req.method ?? "GET",
      path,
      headers: req.headers,
      at,
      body,
      messages,
      model: typeof body.model === "string" ? body.model : undefined,
      stream: body.stream === true,
      includeUsage: streamOptions.include_usage === true,
      maxTokens: typeof body.max_tokens === "number" ? body.max_tokens : typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : undefined,
      temperature: typeof body.temperature === "number" ? body.temperature : undefined,
      lastUserMessage: messages.filter((m) => m.role === "user").at(-1)?.content ?? "",
      disconnectedAt: undefined,
      finishedAt: undefined,
    };
    calls.push(call);
    for (const wake of waiters) wake();
    res.on("close", () => {
      if (!res.writableFinished) call.disconnectedAt ??= performance.now();
    });

    if (req.method === "GET" && path === "/v1/models") {
      sendJson(res, 200, { object: "list", data: [{ id: modelName, object: "model", created: 0, owned_by: "fake-llm" }] });
      return;
    }
    if (req.method !== "POST" || path !== "/v1/chat/completions") {
      sendJson(res, 404, { error: { message: `fake LLM: no route for ${req.method} ${path}`, type: "invalid_request_error" } });
      return;
    }

    const step = queue.length > 0 ? (queue.shift() as FakeLlmStep) : defaultStep;
    const behaviour = typeof step === "function" ? await step(call) : step;
    const id = `chatcmpl-fake-${++sequence}`;
    const model = call.model ?? modelName;

    if ("status" in behaviour) {
      const headers: Record<string, string> = behaviour.retryAfter === undefined ? {} : { "retry-after": behaviour.retryAfter };
      sendJson(
        res,
        behaviour.status,
        {
          error: {
            message: behaviour.message ?? `fake LLM error ${behaviour.status}`,
            type: behaviour.status === 429 ? "rate_limit_exceeded" : behaviour.status >= 500 ? "server_error" : "invalid_request_error",
            param: null,
            code: null,
          },
        },
        headers,
      );
      return;
    }
    if ("hang" in behaviour && behaviour.afterChunks === undefined) return; // until the client or close() ends it

    const text = "empty" in behaviour ? "" : (behaviour.text ?? "This answer will not be finished, it is cut off here.");
    const chunks = splitText(text, ("chunkSize" in behaviour ? behaviour.chunkSize : undefined) ?? 8);
    const finishReason = "finishReason" in behaviour && behaviour.finishReason !== undefined ? behaviour.finishReason : "stop";
    const usage =
      "usage" in behaviour && behaviour.usage
        ? behaviour.usage
        : { promptTokens: countWords(messages.map((m) => m.content).join(" ")), completionTokens: chunks.length };

    if (!call.stream) {
      if ("cut" in behaviour) {
        res.socket?.destroy();
        return;
      }
      if ("hang" in behaviour) return;
      await delay("firstTokenDelayMs" in behaviour ? behaviour.firstTokenDelayMs : undefined);
      sendJson(res, 200, {
        id,
        object: "chat.completion",
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
        usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
      });
      call.finishedAt = performance.now();
      return;
    }

    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    const created = Math.floor(Date.now() / 1000);
    const write = (payload: unknown): boolean => {
      if (res.destroyed || closed) return false;
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
      return true;
    };
    const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(call.includeUsage ? { usage: null } : {}),
    });

    // The role comes first, with empty content, as OpenAI sends it.
    if (!write(chunk({ role: "assistant", content: "" }, null))) return;
    await delay("firstTokenDelayMs" in behaviour ? behaviour.firstTokenDelayMs : undefined);
    const limit = "cut" in behaviour || "hang" in behaviour ? Math.min(behaviour.afterChunks ?? 0, chunks.length) : chunks.length;
    const chunkDelay = "chunkDelayMs" in behaviour ? behaviour.chunkDelayMs : undefined;
    for (let i = 0; i < limit; i++) {
      if (i > 0) await delay(chunkDelay);
      if (!write(chunk({ content: chunks[i] }, null))) return;
    }
    if ("cut" in behaviour) {
      // Give the written chunks a moment to leave before the reset, so the client sees them first.
      await delay(20);
      res.socket?.destroy();
      return;
    }
    if ("hang" in behaviour) return;
    await delay(chunkDelay);
    if (finishReason !== null && !write(chunk({}, finishReason))) return;
    if (call.includeUsage) {
      write({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        system_fingerprint: null,
        choices: [],
        usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens },
      });
    }
    if (res.destroyed || closed) return;
    res.end("data: [DONE]\n\n");
    call.finishedAt = performance.now();
  }

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const completionCalls = () => calls.filter((c) => c.method === "POST" && c.path === "/v1/chat/completions");

  return {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    completionCalls,
    waitForCalls: (count, timeoutMs = 5_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (completionCalls().length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(completionCalls());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake LLM: expected ${count} completion calls within ${timeoutMs} ms, got ${completionCalls().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    enqueue: (...steps) => {
      queue.push(...steps);
    },
    setDefault: (step) => {
      defaultStep = step;
    },
    pending: () => queue.length,
    close: async () => {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(payload));
}

function splitText(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size));
  // By code point, so a chunk never splits a surrogate pair.
  const chars = Array.from(text);
  const chunks: string[] = [];
  for (let i = 0; i < chars.length; i += step) chunks.push(chars.slice(i, i + step).join(""));
  return chunks;
}

function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
