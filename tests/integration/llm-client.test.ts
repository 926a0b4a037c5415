// LlmClient against a real local fake of OpenAI's chat-completions API (tests/helpers/fake-llm.ts):
// streaming, usage, the retry rules, the final LlmError kinds, aborts, and that the key stays secret.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { LlmClient, type LlmClientOptions } from "../../lib/llm/client";
import { LlmError, type ChatMessage } from "../../lib/llm/types";
import { startFakeLlm, type FakeLlm } from "../helpers/fake-llm";

const API_KEY = "sk-test-SECRET-0123456789abcdef";
const MESSAGES: ChatMessage[] = [
  { role: "system", content: "You answer questions about papers." },
  { role: "user", content: "What does the paper propose?" },
];

let llm: FakeLlm;
beforeEach(async () => {
  llm = await startFakeLlm();
});
afterEach(async () => {
  await llm.close();
});

function client(options: Partial<LlmClientOptions> = {}): LlmClient {
  return new LlmClient({
    baseUrl: llm.url,
    apiKey: API_KEY,
    model: "test-model",
    timeoutMs: 5_000,
    maxTokens: 321,
    retry: { minTimeout: 5, maxTimeout: 20, randomize: false },
    ...options,
  });
}

/** Collects deltas and restarts the way a caller that shows partial text would. */
function collector() {
  const events: string[] = [];
  let shown = "";
  return {
    events,
    shown: () => shown,
    onDelta: (text: string) => {
      events.push(text);
      shown += text;
    },
    onRestart: () => {
      events.push("<restart>");
      shown = "";
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<LlmError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LlmError);
  const llmError = error as LlmError;
  expect(llmError.message).not.toContain(API_KEY);
  return llmError;
}

describe("LlmClient", () => {
  test("streams deltas in order, returns the joined text, finish_reason and usage", async () => {
    llm.enqueue({ text: "Attention is all you need, they say.", chunkSize: 5, usage: { promptTokens: 17, completionTokens: 9 } });
    const out = collector();

    const result = await client().streamChat(MESSAGES, { onDelta: out.onDelta, temperature: 0.2 });

    expect(result).toEqual({
      text: "Attention is all you need, they say.",
      finishReason: "stop",
      usage: { promptTokens: 17, completionTokens: 9 },
    });
    expect(out.events.length).toBeGreaterThan(5);
    expect(out.events.join("")).toBe(result.text);
    expect(out.events[0]).toBe("Atten");

    const [call] = llm.completionCalls();
    expect(llm.completionCalls()).toHaveLength(1);
    expect(call).toMatchObject({
      model: "test-model",
      stream: true,
      includeUsage: true,
      maxTokens: 321,
      temperature: 0.2,
      messages: MESSAGES,
    });
    expect(call?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test("per-call maxTokens overrides the client's", async () => {
    await client().streamChat(MESSAGES, { onDelta: () => {}, maxTokens: 42 });
    expect(llm.completionCalls()[0]?.maxTokens).toBe(42);
  });

  test("429 with Retry-After: waits that long (real time), then succeeds", async () => {
    llm.enqueue({ status: 429, retryAfter: "1" }, { text: "Finally." });

    const result = await client({ retry: { minTimeout: 1, randomize: false } }).streamChat(MESSAGES, { onDelta: () => {} });

    expect(result.text).toBe("Finally.");
    const [first, second] = llm.completionCalls();
    expect(llm.completionCalls()).toHaveLength(2);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  test("429 every time: LlmError rate_limited after the retries", async () => {
    llm.setDefault({ status: 429, retryAfter: "0" });
    const error = await failure(client({ retry: { retries: 2, minTimeout: 1 } }).streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("rate_limited");
    expect(error.message).toMatch(/429.*3 attempts/);
    expect(llm.completionCalls()).toHaveLength(3);
  });

  test("500, 500, then success", async () => {
    llm.enqueue({ status: 500 }, { status: 500 }, { text: "Third time lucky." });
    const result = await client().streamChat(MESSAGES, { onDelta: () => {} });
    expect(result.text).toBe("Third time lucky.");
    expect(llm.completionCalls()).toHaveLength(3);
  });

  test("5xx every time: LlmError server", async () => {
    llm.setDefault({ status: 503 });
    const error = await failure(client({ retry: { retries: 1, minTimeout: 1 } }).streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("server");
    expect(llm.completionCalls()).toHaveLength(2);
  });

  test("400 fails at once with one call, saying what the endpoint said", async () => {
    llm.enqueue({ status: 400, message: "This model's maximum context length is 8192 tokens" });
    const error = await failure(client().streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("rejected");
    expect(error.message).toContain("HTTP 400");
    expect(error.message).toContain("maximum context length");
    expect(llm.completionCalls()).toHaveLength(1);
  });

  test("a cut stream is retried; onRestart comes before the second attempt's text", async () => {
    llm.enqueue({ cut: true, afterChunks: 2, text: "Partial answer that breaks", chunkSize: 4 }, { text: "The full answer.", chunkSize: 4 });
    const out = collector();

    const result = await client().streamChat(MESSAGES, out);

    expect(result.text).toBe("The full answer.");
    expect(out.events).toEqual(["Part", "ial ", "<restart>", "The ", "full", " ans", "wer."]);
    expect(out.shown()).toBe("The full answer.");
    expect(llm.completionCalls()).toHaveLength(2);
  });

  test("no onRestart when the failed attempt delivered nothing", async () => {
    llm.enqueue({ status: 500 }, { text: "Fine." });
    const out = collector();
    await client().streamChat(MESSAGES, out);
    expect(out.events).not.toContain("<restart>");
  });

  test("cut every time: LlmError cut after the retries", async () => {
    llm.setDefault({ cut: true, afterChunks: 1 });
    const out = collector();
    const error = await failure(client({ retry: { retries: 2, minTimeout: 1 } }).streamChat(MESSAGES, out));
    expect(error.kind).toBe("cut");
    expect(llm.completionCalls()).toHaveLength(3);
    expect(out.events.filter((e) => e === "<restart>")).toHaveLength(2);
  });

  test("a stream that ends with [DONE] but no finish_reason counts as cut", async () => {
    llm.setDefault({ text: "All the text but no end.", finishReason: null });
    const error = await failure(client({ retry: { retries: 1, minTimeout: 1 } }).streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("cut");
    expect(llm.completionCalls()).toHaveLength(2);
  });

  test("no response at all: LlmError timeout after the retries", async () => {
    llm.setDefault({ hang: true });
    const started = performance.now();
    const error = await failure(client({ timeoutMs: 300, retry: { retries: 1, minTimeout: 1 } }).streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("timeout");
    expect(llm.completionCalls()).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  test("a stream that stalls mid-answer times out too", async () => {
    llm.setDefault({ hang: true, afterChunks: 2, text: "Starts well and then", chunkSize: 5 });
    const out = collector();
    const error = await failure(client({ timeoutMs: 300, retry: { retries: 1, minTimeout: 1 } }).streamChat(MESSAGES, out));
    expect(error.kind).toBe("timeout");
    expect(out.events).toEqual(["Start", "s wel", "<restart>", "Start", "s wel"]);
  });

  test("an empty answer is retried once, then LlmError empty", async () => {
    llm.setDefault({ empty: true });
    const error = await failure(client().streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("empty");
    expect(llm.completionCalls()).toHaveLength(2);
  });

  test("one empty answer, then a real one: succeeds", async () => {
    llm.enqueue({ empty: true }, { text: "Now with text." });
    const result = await client().streamChat(MESSAGES, { onDelta: () => {} });
    expect(result.text).toBe("Now with text.");
  });

  test("finish_reason length: LlmError truncated after one call", async () => {
    llm.setDefault({ text: "A long answer that was", finishReason: "length" });
    const error = await failure(client().streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("truncated");
    expect(error.message).toContain("321 tokens");
    expect(llm.completionCalls()).toHaveLength(1);
  });

  test("aborting the call's signal mid-stream rejects with its reason and closes the request", async () => {
    llm.setDefault({ text: "word ".repeat(200), chunkSize: 5, chunkDelayMs: 20 });
    const controller = new AbortController();
    const deltas: string[] = [];
    const pending = client().streamChat(MESSAGES, {
      signal: controller.signal,
      onDelta: (text) => {
        deltas.push(text);
        if (deltas.length === 3) controller.abort();
      },
    });
    const error: unknown = await pending.catch((e: unknown) => e);

    expect(error).toBe(controller.signal.reason);
    expect((error as Error).name).toBe("AbortError");
    expect(deltas).toHaveLength(3);
    // The request was cut too, not only the promise: the server saw the client leave.
    await expect.poll(() => llm.completionCalls()[0]?.disconnectedAt, { timeout: 500 }).toBeDefined();
    const call = llm.completionCalls()[0];
    expect(call?.finishedAt).toBeUndefined();
    expect(llm.completionCalls()).toHaveLength(1);
  });

  test("abort latency: from abort() to rejection under 100 ms", async () => {
    llm.setDefault({ text: "word ".repeat(200), chunkSize: 5, chunkDelayMs: 20 });
    const controller = new AbortController();
    let abortedAt = 0;
    let scheduled = false;
    const pending = client().streamChat(MESSAGES, {
      signal: controller.signal,
      onDelta: () => {
        if (!scheduled) {
          scheduled = true;
          // From outside onDelta, as a real caller (a closing SSE connection) would abort.
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 50);
        }
      },
    });
    await pending.catch(() => undefined);
    expect(abortedAt).toBeGreaterThan(0);
    expect(performance.now() - abortedAt).toBeLessThan(100);
  });

  test("aborting during a Retry-After wait rejects at once, without another call", async () => {
    llm.enqueue({ status: 429, retryAfter: "30" });
    const controller = new AbortController();
    const pending = client().streamChat(MESSAGES, { signal: controller.signal, onDelta: () => {} });
    await llm.waitForCalls(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const abortedAt = performance.now();
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(llm.completionCalls()).toHaveLength(1);
  });

  test("the client's shutdown signal stops a stream in flight", async () => {
    llm.setDefault({ text: "word ".repeat(200), chunkSize: 5, chunkDelayMs: 20 });
    const shutdown = new AbortController();
    const c = client({ signal: shutdown.signal });
    let count = 0;
    const pending = c.streamChat(MESSAGES, {
      onDelta: () => {
        if (++count === 2) shutdown.abort();
      },
    });
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(llm.completionCalls()).toHaveLength(1);
  });

  test("not configured: LlmError not_configured, and no call", async () => {
    const c = client({ baseUrl: undefined, apiKey: undefined });
    expect(c.configured).toBe(false);
    const error = await failure(c.streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("not_configured");
    expect(error.message).toBe(
      "No LLM is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL for another OpenAI-compatible endpoint)",
    );
    expect(llm.calls).toHaveLength(0);
  });

  test("a base URL without a key is configured (local endpoints need no key)", async () => {
    const c = client({ apiKey: undefined });
    expect(c.configured).toBe(true);
    const result = await c.streamChat(MESSAGES, { onDelta: () => {} });
    expect(result.text).toBe("This is a fake answer.");
  });

  test("the key never appears in an error, even when the endpoint quotes it", async () => {
    llm.enqueue({ status: 401, message: `Incorrect API key provided: ${API_KEY}.` });
    const error = await failure(client().streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("rejected");
    expect(error.message).toContain("HTTP 401");
    expect(error.message).toContain("[redacted]");
    expect(llm.completionCalls()[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  test("an unreachable endpoint fails as server, naming the address", async () => {
    const closed = await startFakeLlm();
    const url = closed.url;
    await closed.close();
    const error = await failure(client({ baseUrl: url, retry: { retries: 1, minTimeout: 1 } }).streamChat(MESSAGES, { onDelta: () => {} }));
    expect(error.kind).toBe("server");
    expect(error.message).toContain(url);
  });

  test("fromEnv reads the LLM settings", () => {
    const c = LlmClient.fromEnv({ baseUrl: llm.url });
    expect(c.timeoutMs).toBeGreaterThanOrEqual(100);
    expect(c.maxTokens).toBeGreaterThanOrEqual(1);
    expect(c.baseUrl).toBe(llm.url);
  });
});

describe("fake LLM", () => {
  test("answers from the prompt, without streaming, and lists its model", async () => {
    llm.setDefault((call) => ({ text: `You asked: ${call.lastUserMessage}` }));
    const response = await fetch(`${llm.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "why?" }] }),
    });
    const body = (await response.json()) as { object: string; choices: { message: { content: string }; finish_reason: string }[] };
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message.content).toBe("You asked: why?");
    expect(body.choices[0]?.finish_reason).toBe("stop");

    const models = (await (await fetch(`${llm.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data[0]?.id).toBe("fake-model");
    expect(llm.calls).toHaveLength(2);
    expect(llm.completionCalls()).toHaveLength(1);
  });
});
