// Reads a Server-Sent Events response with fetch: every event with its parsed JSON data and arrival
// time, until the stream ends or `stop` says so. Used by the FAQ tests and bench:faq.
export interface SseEvent {
  event: string;
  data: unknown;
  at: number;
}

export async function readSse(
  url: string,
  options: { timeoutMs?: number; onEvent?: (event: SseEvent) => void; stop?: (event: SseEvent) => boolean } = {},
): Promise<SseEvent[]> {
  const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 20_000) });
  if (!response.ok || !response.body) throw new Error(`${url}: HTTP ${response.status} ${await response.text()}`);
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      const parsed: SseEvent = { event, data: JSON.parse(data.join("\n")) as unknown, at: performance.now() };
      events.push(parsed);
      options.onEvent?.(parsed);
      if (options.stop?.(parsed)) {
        await reader.cancel();
        return events;
      }
    }
  }
  return events;
}
