// Real servers for the digest tests, on 127.0.0.1 and a random port: an SMTP server (smtp-server)
// that parses every message it accepts (mailparser) and can turn the next connections away with a
// reply code, and an HTTP server recording every webhook post (headers and JSON body) and answering
// each path from a script of statuses (or stalling after the headers).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface TestSmtpServer {
  /** smtp://127.0.0.1:<port>, for SMTP_URL / the Mailer. */
  url: string;
  /** Messages accepted, parsed, in arrival order. */
  messages: ParsedMail[];
  /** Envelope recipients of each accepted message. */
  recipients: string[][];
  /** Answers the next `count` connections with `code` (421: try later) instead of a greeting. */
  refuseNext(count: number, code: number): void;
  connections: number;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const recipients: string[][] = [];
  let refuse = 0;
  let refuseCode = 421;
  const state = { connections: 0 };
  const server = new SMTPServer({
    // Plain SMTP on loopback: no STARTTLS (its certificate would be the library's test one), no login.
    disabledCommands: ["STARTTLS", "AUTH"],
    authOptional: true,
    logger: false,
    onConnect(_session, callback) {
      state.connections += 1;
      if (refuse > 0) {
        refuse -= 1;
        return callback(Object.assign(new Error("Too busy, try later"), { responseCode: refuseCode }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push(mail);
          recipients.push(session.envelope.rcptTo.map((r) => r.address));
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    recipients,
    refuseNext(count, code) {
      refuse = count;
      refuseCode = code;
    },
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface HookRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface HookReply {
  status: number;
  headers?: Record<string, string>;
  /** Send the status line, headers and a first byte of the body, then nothing more (a stalled receiver). */
  hang?: boolean;
}

export interface TestHookServer {
  url: string;
  requests: HookRequest[];
  to(path: string): HookRequest[];
  /** Replies for a path, in order; the last repeats. Unscripted paths answer 200. */
  script(path: string, replies: HookReply[]): void;
  close(): Promise<void>;
}

export async function startHookServer(): Promise<TestHookServer> {
  const requests: HookRequest[] = [];
  const scripts = new Map<string, { replies: HookReply[]; served: number }>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      requests.push({ path, headers: req.headers, body });
      const script = scripts.get(path);
      const reply = script ? script.replies[Math.min(script.served++, script.replies.length - 1)]! : { status: 200 };
      res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
      if (reply.hang) return void res.write("o");
      res.end(reply.status < 300 ? "ok" : "no");
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((r) => r.path === path),
    script: (path, replies) => void scripts.set(path, { replies, served: 0 }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
