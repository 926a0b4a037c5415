// The web server as `npm start` runs it (scripts/web.ts): two `next start` processes behind the page
// cache, on the test database. Signed-out readers share kept pages; a signed-in reader always gets
// their own; a page showing work in progress opts out; stopping the front stops every process.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, expect, test } from "vitest";
import { db } from "../../lib/db";
import { entry, randomDay, randomPaperId, seedListing } from "../helpers/seed";
import { startWeb, type WebServer } from "../helpers/web";

let web: WebServer & { pid: number };
const day = randomDay();
const id = randomPaperId();

beforeAll(async () => {
  await seedListing([entry({ id, title: `Kept page paper ${id}`, primaryCategory: "cs.DL", categories: ["cs.DL"] })], ["cs.DL"], day);
  web = await startWeb({ WEB_PROCESSES: "2", PAGE_CACHE_SECONDS: "30" }, { front: true });
}, 120_000);

afterAll(async () => {
  await web?.stop();
});

const get = async (path: string, headers: Record<string, string> = {}) => {
  const response = await fetch(`${web.url}${path}`, { headers });
  return { status: response.status, state: response.headers.get("x-page-cache"), body: await response.text(), headers: response.headers };
};

test("a signed-out reader's listing is rendered once, then served kept, with the security headers", async () => {
  const first = await get(`/list/cs.DL?date=${day}`);
  const second = await get(`/list/cs.DL?date=${day}`);
  expect(first.status).toBe(200);
  expect([first.state, second.state]).toEqual(["miss", "hit"]);
  expect(second.body).toContain(`Kept page paper ${id}`);
  expect(second.body).toBe(first.body);
  expect(second.headers.get("content-security-policy")).toContain("default-src 'self'");
  expect(second.headers.get("cache-control")).toContain("no-store");
  // The page's scripts load through the front too.
  const script = second.body.match(/src="(\/_next\/static\/[^"]+\.js)"/)?.[1];
  expect(script).toBeDefined();
  expect((await get(script!)).status).toBe(200);
});

test("a signed-in reader gets their own page every time", async () => {
  const email = `kept-${id}@example.org`;
  const response = await fetch(`${web.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: web.url },
    body: JSON.stringify({ email, password: "correct horse battery staple", name: "Kept Reader" }),
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("x-page-cache")).toBe("bypass");
  const cookie = response.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const mine = await get(`/list/cs.DL?date=${day}`, { cookie });
  expect(mine.state).toBe("bypass");
  expect(mine.body).toContain(`Signed in as ${email}`);
  expect(mine.body).toContain(`Kept page paper ${id}`);
  // The kept signed-out page never shows anyone's name.
  const anonymous = await get(`/list/cs.DL?date=${day}`);
  expect(anonymous.state).toBe("hit");
  expect(anonymous.body).not.toContain(email);
  await db().user.delete({ where: { email } });
});

test("a page showing work in progress (a paper being fetched) is never kept", async () => {
  const missing = randomPaperId();
  const first = await get(`/papers/${missing}`);
  const second = await get(`/papers/${missing}`);
  expect(first.body).toContain("Fetching this paper from arXiv");
  expect([first.state, second.state]).toEqual(["miss", "miss"]);
  // A stored paper's page is kept.
  const states = [(await get(`/papers/${id}`)).state, (await get(`/papers/${id}`)).state];
  expect(states).toEqual(["miss", "hit"]);
});

test("two Next.js processes run behind the front, and stopping it stops them", async () => {
  const children = execFileSync("ps", ["-o", "pid=", "--ppid", String(web.pid)], { encoding: "utf8" }).trim().split(/\s+/).map(Number);
  expect(children.length).toBe(2);
  await web.stop();
  const alive = children.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  expect(alive).toEqual([]);
});
