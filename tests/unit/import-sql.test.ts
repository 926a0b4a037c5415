// The address the snapshot import's postgres.js client connects to (lib/import/sql.ts): the one
// Prisma uses, less what only Prisma reads, which PostgreSQL would refuse as a setting.
import { expect, test } from "vitest";
import { driverUrl } from "../../lib/import/sql";

test("parameters only Prisma reads are left out; the driver's and the server's are kept", () => {
  expect(driverUrl("postgresql://u:p%40ss@db.example:5433/papers?schema=public&connection_limit=5&sslmode=require&pgbouncer=true")).toBe(
    "postgresql://u:p%40ss@db.example:5433/papers?sslmode=require",
  );
  expect(driverUrl("postgresql://postgres:postgres@127.0.0.1:41234/postgres?sslmode=disable")).toBe(
    "postgresql://postgres:postgres@127.0.0.1:41234/postgres?sslmode=disable",
  );
  const kept = new URL(driverUrl("postgres://u@h/db?schema=public&application_name=x&options=-c%20search_path%3Dother"));
  expect([...kept.searchParams]).toEqual([
    ["application_name", "x"],
    ["options", "-c search_path=other"],
  ]);
  expect(driverUrl("postgresql://u@h/db")).toBe("postgresql://u@h/db");
});
