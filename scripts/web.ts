// The web server as `npm start` and docker compose run it: WEB_PROCESSES `next start` processes on
// private ports of 127.0.0.1 behind the page cache (lib/page-cache.ts), which answers on HOST:PORT
// and sends each request to the least busy one. One Next.js process renders on one core; sessions
// live in the database, so any process serves any reader. With PAGE_CACHE_SECONDS=0 and one
// process, `next start` alone on HOST:PORT. SIGTERM/SIGINT stop all; if one exits, all stop.
// A page view failing while the database is unreachable gets lib/database-down.ts's 503 page.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { createInterface } from "node:readline";
import path from "node:path";
import { keptAuthSecret } from "../lib/auth-secret";
import { localUrl, parseEnv, setProcessEnv } from "../lib/env";
import { logFormat } from "../lib/logger";
import { freePort, waitForHttp } from "../lib/net";
import { databaseDownPage, databaseReachable } from "../lib/database-down";
import { createPageCacheServer } from "../lib/page-cache";
import { forgetReader, pageForReader, readerRedirect, readerTemplate, type ReaderTemplate } from "../lib/reader-pages";

const root = path.resolve(import.meta.dirname, "..");
/** The lines `next start` prints while starting (colour codes allowed before them). */
const NEXT_BANNER = /^(?:\u001b\[[\d;]*m)*\s*(?:▲ Next\.js|- (?:Local|Network|Environments?):|✓ (?:Ready in|Starting|Running next\.config)|$)/u;
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

async function main() {
  const config = parseEnv(process.env);
  const ttlMs = config.PAGE_CACHE_SECONDS * 1000;
  const processes = config.WEB_PROCESSES ?? Math.min(4, availableParallelism());
  const direct = ttlMs === 0 && processes === 1;
  const ports = direct ? [config.PORT] : await Promise.all(Array.from({ length: processes }, freePort));
  const host = direct ? config.HOST : "127.0.0.1";
  // What the Next.js processes are told: without AUTH_SECRET, the secret `npm start` keeps in
  // DATA_DIR (one machine; replicas set AUTH_SECRET). Behind the front: its port, which links and
  // the sign-in origin check must name (Next.js puts each process's private port in PORT), and
  // whether this process writes to a terminal, since their output reaches it through a pipe.
  const serverEnv: NodeJS.ProcessEnv = {
    ...process.env,
    ...(config.AUTH_SECRET ? {} : { AUTH_SECRET: keptAuthSecret(path.resolve(root, config.DATA_DIR)) }),
    ...(direct ? {} : { WEB_FRONT_PORT: String(config.PORT), LOG_FORMAT: logFormat(config.LOG_FORMAT, process.stdout.isTTY) }),
  };
  const servers = ports.map((port) => {
    const server = spawn(process.execPath, [nextBin, "start", "-H", host, "-p", String(port)], {
      cwd: root,
      env: serverEnv,
      stdio: ["ignore", direct ? "inherit" : "pipe", "inherit"],
    });
    // Behind the front, each Next.js process's banner ("- Local: http://127.0.0.1:<private port>")
    // names an address readers must not use: its start-up lines are left out, the rest passes.
    if (server.stdout) {
      createInterface({ input: server.stdout }).on("line", (line) => {
        if (!NEXT_BANNER.test(line)) process.stdout.write(`${line}\n`);
      });
    }
    return server;
  });
  const databaseUrl = config.DATABASE_URL;
  // The front reads sessions (signed-in readers' pages: lib/reader-pages.ts) with the same secret
  // and port the Next.js processes are given; lib/env.ts reads them from this process's environment.
  if (!direct) setProcessEnv({ AUTH_SECRET: serverEnv.AUTH_SECRET, WEB_FRONT_PORT: serverEnv.WEB_FRONT_PORT });
  const front = direct
    ? undefined
    : createPageCacheServer({
        upstreams: ports.map((port) => ({ host: "127.0.0.1", port })),
        ttlMs,
        staleMs: config.PAGE_CACHE_STALE_SECONDS * 1000,
        // A signed-in reader's listing: the page kept for nobody with their parts put in ("/" of a
        // reader with topics: their inbox).
        readers:
          databaseUrl && config.PAGE_CACHE_READERS
            ? {
                prepare: readerTemplate,
                serve: (headers, prepared) => pageForReader(headers, prepared as ReaderTemplate),
                forget: forgetReader,
                redirect: readerRedirect,
              }
            : undefined,
        // A page view that failed while the database does not answer: the database-down page.
        errorPage: async (req) =>
          databaseUrl && !(await databaseReachable(databaseUrl)) ? databaseDownPage(req.headers.cookie, req.url ?? "/") : undefined,
      });
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    process.exitCode = code;
    void front?.close();
    for (const server of servers) if (server.exitCode === null) server.kill("SIGTERM");
  };
  process.on("SIGTERM", () => stop(0));
  process.on("SIGINT", () => stop(0));
  let running = servers.length;
  for (const server of servers) {
    server.on("exit", (code, signal) => {
      running -= 1;
      if (!stopping) {
        process.stderr.write(`[web] a Next.js process exited (code ${code}, signal ${signal}); stopping the others\n`);
        stop(1);
      }
      if (running === 0) process.exit();
    });
  }
  if (front) {
    // PORT opens once every Next.js process answers: until then a reader (or `npm start` waiting
    // for the app) finds nothing listening rather than the front's 502.
    await Promise.all(ports.map((port) => waitForHttp(`http://127.0.0.1:${port}/api/health`, Number.POSITIVE_INFINITY, () => stopping)));
    if (stopping) return;
    front.server.on("error", (error) => {
      process.stderr.write(`[web] cannot listen on ${config.HOST}:${config.PORT}: ${error.message}\n`);
      stop(1);
    });
    front.server.listen(config.PORT, config.HOST, () =>
      process.stdout.write(`[web] ${localUrl(config)} (${processes} Next.js processes behind the page cache)\n`),
    );
  } else {
    await waitForHttp(`${localUrl(config)}/api/health`, Number.POSITIVE_INFINITY, () => stopping);
    if (!stopping) process.stdout.write(`[web] ${localUrl(config)} (one Next.js process, no page cache)\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[web] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
