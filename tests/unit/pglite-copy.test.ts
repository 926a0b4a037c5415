// Which queries the embedded database's server treats as COPY FROM STDIN (lib/pglite-server.ts):
// those get a CopyInResponse from the server and PGlite sees them with their data.
import { expect, test } from "vitest";
import { copyFromStdin } from "../../lib/pglite-server";

test("a single COPY ... FROM STDIN statement, however written", () => {
  expect(copyFromStdin("copy t from stdin")).toBe(true);
  expect(copyFromStdin("COPY import_kaggle_rows FROM STDIN")).toBe(true);
  expect(copyFromStdin("COPY t (a, b) FROM STDIN WITH (FORMAT binary);")).toBe(true);
  expect(copyFromStdin("  -- load\n COPY \"Odd;name\" FROM\n STDIN (DELIMITER ';')  ;  ")).toBe(true);
});

test("anything else runs as before", () => {
  expect(copyFromStdin("COPY t TO STDOUT")).toBe(false);
  expect(copyFromStdin("COPY t FROM '/dev/blob'")).toBe(false);
  expect(copyFromStdin("SELECT 'copy t from stdin'")).toBe(false);
  expect(copyFromStdin("/* copy t from stdin */ SELECT 1")).toBe(false);
  // Several statements in one query: PGlite would have to run the first before the data arrives.
  expect(copyFromStdin("BEGIN; COPY t FROM STDIN")).toBe(false);
  expect(copyFromStdin("COPY t FROM STDIN; SELECT 1")).toBe(false);
});
