// A real HTTP server for tests (node:http on 127.0.0.1, random port): each path answers from a script
// of responses, and every request is recorded with its headers and arrival time. No mocks of fetch.
//
//   const server = await startHttpServer({
//     "/rss/cs.AI": [{ status: 503 }, "reset", { status: 200, body: "<rss/>" }],
//   });
//   await client.fetchRss(["cs.AI"]);            // with rssBaseUrl = `${server.url}/rss`
//   server.requestsTo("/rss/cs.AI").length;      // 3
//   await server.close();
//
// Script steps are used in order; the last one repeats once the script is exhausted. A path with no
// script answers 404 with a body saying so.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A normal answer. `delayMs` holds it back (headers and body) that long. */
export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  delayMs?: number;
}

/**
 * One step of a path's script:
 * - a reply;
 * - "reset": destroy the connection without answering (the client sees a network error);
 * - "hang": never answer (until `close()`), for timeouts;
 * - a function of the request, returning one of the above (e.g. a Retry-After date computed now).
 */
export type ScriptStep = ScriptedReply | "reset" | "hang" | ((request: RecordedRequest) => ScriptedReply | "reset" | "hang");

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. "/api/query". */
  path: string;
  query: URLSearchParams;
  /** Lower-cased names, as node:http gives them. */
  headers: IncomingHttpHeaders;
  /** performance.now() when the request's headers arrived (same clock as the test's). */
  at: number;
}

export interface TestHttpServer {
  /** Base URL without trailing slash, e.g. "http://127.0.0.1:41234". */
  url: string;
  /** Every request, in arrival order. */
  requests: RecordedRequest[];
  /** The requests to one path. */
  requestsTo(path: string): RecordedRequest[];
  /** Sets (replaces) the script of a path. */
  script(path: string, steps: ScriptStep[]): void;
  /** Closes the server and every open connection, answered or not. */
  close(): Promise<void>;
}

export async function startHttpServer(scripts: Record<string, ScriptStep[]> = {}): Promise<TestHttpServer> {
  const steps = new Map<string, ScriptStep[]>(Object.entries(scripts));
  const served = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const parsed = new URL(req.url ?? "/", "http://127.0.0.1");
    const recorded: RecordedRequest = {
      method: req.method ?? "GET",
      path: parsed.pathname,
      query: parsed.searchParams,
      headers: req.headers,
      at: performance.now(),
    };
    requests.push(recorded);

    const script = steps.get(parsed.pathname);
    if (!script || script.length === 0) {
      send(res, { status: 404, body: `no script for ${parsed.pathname}` });
      return;
    }
    const index = served.get(parsed.pathname) ?? 0;
    served.set(parsed.pathname, index + 1);
    const step = script[Math.min(index, script.length - 1)] as ScriptStep;
    const action = typeof step === "function" ? step(recorded) : step;

    if (action === "reset") {
      req.socket.destroy();
      return;
    }
    if (action === "hang") return;
    if (action.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, action);
      }, action.delayMs);
      timers.add(timer);
      return;
    }
    send(res, action);
  });

  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    requestsTo: (path) => requests.filter((r) => r.path === path),
    script: (path, newSteps) => {
      steps.set(path, newSteps);
      served.set(path, 0);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  if (res.destroyed) return;
  res.writeHead(reply.status ?? 200, { "content-type": "text/plain; charset=utf-8", ...reply.headers });
  res.end(reply.body ?? "");
}
