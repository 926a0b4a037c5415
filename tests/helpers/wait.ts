// Polling until a condition holds, for tests that wait on another process (a worker, a web server):
// one helper so every wait has a deadline and fails saying what it waited for and what it last saw.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/** Reads `read()` until `done(value)`; throws after the deadline with the last value seen. */
export async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, options: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      const seen = typeof value === "string" ? value.slice(0, 2000) : JSON.stringify(value);
      throw new Error(`timed out waiting for ${what}: ${seen}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 50));
  }
}
