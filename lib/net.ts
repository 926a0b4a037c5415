// Small network helpers shared by the start-up scripts, the benchmarks and the tests.
import { createServer } from "node:net";

/** A TCP port on 127.0.0.1 that is free now (the OS picks it; another process may take it before you). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Asks `url` every 200 ms until it answers HTTP at all (any status); false when `timeoutMs` passes
 * first or `cancelled()` turns true.
 */
export async function waitForHttp(url: string, timeoutMs: number, cancelled: () => boolean = () => false): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !cancelled()) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return true;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return false;
}
