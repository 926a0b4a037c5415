// Password guessing is limited per client address (AUTH_RATE_LIMIT attempts a minute, 10 by
// default), and the limit holds where the app really runs: two Next.js processes behind the web
// front (the counters live in the database, so both count the same attempts), readers forging
// X-Forwarded-For (the front adds the address that connected; only TRUSTED_PROXIES' entries are
// believed), and readers behind a reverse proxy of our own on this machine (each keeps their own count).
// Readers come from their own loopback addresses (127.x.y.z), fresh ones each run, so no other test
// file or earlier run shares their counters.
import { request } from "node:http";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startWeb, type WebServer } from "../helpers/web";

let web: WebServer;

beforeAll(async () => {
  web = await startWeb({ WEB_PROCESSES: "2", AUTH_RATE_LIMIT: "10" }, { front: true });
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

const octet = () => 2 + Math.floor(Math.random() * 250);
/** A loopback address of our own for one simulated client (the whole 127/8 reaches this machine). */
const clientAddress = () => `127.${octet()}.${octet()}.${octet()}`;
/** An address from the documentation ranges, as a forwarded header would carry it. */
const documentationAddress = () => `198.51.100.${octet()}`;

/** A wrong-password sign-in from `from`, optionally with an X-Forwarded-For header; resolves with the status. */
function signIn(from: string, forwardedFor?: string): Promise<{ status: number; body: string }> {
  const url = new URL(`${web.url}/api/auth/sign-in/email`);
  const body = JSON.stringify({ email: "nobody@example.org", password: "not-the-password" });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          origin: web.url,
          ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const statuses = (answers: { status: number }[]) => answers.map((a) => a.status).sort();

test("20 simultaneous guesses from one address over two web processes: 10 answered, 10 refused with 429", { timeout: 60_000 }, async () => {
  const from = clientAddress();
  const answers = await Promise.all(Array.from({ length: 20 }, () => signIn(from)));
  // Counted in memory per process this would let up to 20 through; counted in the database, 10.
  expect(statuses(answers)).toEqual([...Array(10).fill(401), ...Array(10).fill(429)]);
  expect(answers.find((a) => a.status === 429)!.body).toMatch(/too many requests/i);
  // Another address is not held back by this one.
  expect((await signIn(clientAddress())).status).toBe(401);
});

test("a forged X-Forwarded-For does not buy more guesses", { timeout: 60_000 }, async () => {
  const from = clientAddress();
  const answers: number[] = [];
  for (let i = 0; i < 12; i++) answers.push((await signIn(from, documentationAddress())).status);
  expect(answers).toEqual([...Array(10).fill(401), 429, 429]);
});

test("behind a reverse proxy on this machine (a trusted proxy), each reader it forwards keeps their own count", { timeout: 60_000 }, async () => {
  // The proxy connects from 127.0.0.1 (in TRUSTED_PROXIES by default) and names the reader it serves.
  const reader = documentationAddress();
  let other = documentationAddress();
  while (other === reader) other = documentationAddress();
  const answers: number[] = [];
  for (let i = 0; i < 11; i++) answers.push((await signIn("127.0.0.1", reader)).status);
  expect(answers).toEqual([...Array(10).fill(401), 429]);
  expect((await signIn("127.0.0.1", other)).status).toBe(401);
});
