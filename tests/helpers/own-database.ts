// Imported FIRST by a test file that needs a database of its own (work that touches every row, such
// as re-embedding every paper, must not meet other files' rows): creates it and points DATABASE_URL
// at it before any app module that comes later in the file's imports reads the configuration.
// On the embedded engine (no second database) the shared test database is used.
import { inject } from "vitest";
import { createFreshDatabase } from "./fresh-database";

export const ownDatabase = await createFreshDatabase("papers_own");
export const databaseUrl = ownDatabase?.url ?? inject("databaseUrl");
process.env.DATABASE_URL = databaseUrl;
