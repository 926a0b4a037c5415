// Which LISTEN/UNLISTEN statements the embedded database's wire server reads from a client's SQL:
// the channels it then sends notifications to (lib/pglite-server.ts).
import { expect, test } from "vitest";
import { listenStatements } from "../../lib/pglite-server";

test("LISTEN and UNLISTEN name channels as PostgreSQL reads them", () => {
  // BullMQ's own statement: a comment before it and a semicolon after.
  expect(listenStatements("-- Subscribe to the shared channel.\n-- more\nLISTEN bullmq_jobs;\n")).toEqual([{ listen: true, channel: "bullmq_jobs" }]);
  expect(listenStatements("listen Mixed_Case")).toEqual([{ listen: true, channel: "mixed_case" }]);
  expect(listenStatements('LISTEN "Quoted ""name"""')).toEqual([{ listen: true, channel: 'Quoted "name"' }]);
  expect(listenStatements("/* a */ LISTEN a; UNLISTEN b; UNLISTEN *")).toEqual([
    { listen: true, channel: "a" },
    { listen: false, channel: "b" },
    { listen: false, channel: "*" },
  ]);
});

test("other statements, and text that only mentions LISTEN, change nothing", () => {
  expect(listenStatements("SELECT pg_notify('bullmq_jobs', 'crawl')")).toEqual([]);
  expect(listenStatements("SELECT 'LISTEN x'")).toEqual([]);
  expect(listenStatements("LISTEN *")).toEqual([]);
  expect(listenStatements("")).toEqual([]);
});
