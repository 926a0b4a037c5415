// Runs in every test worker before the test files load: points the app's configuration at the
// test database and Redis, so lib/env.ts and lib/db.ts connect there.
import { inject } from "vitest";

process.env.DATABASE_URL = inject("databaseUrl");
if (inject("redisUrl")) process.env.REDIS_URL = inject("redisUrl");
else delete process.env.REDIS_URL;
process.env.QUEUE_PG_SCHEMA = inject("databaseKind") === "embedded" ? "public" : "bullmq";
process.env.LOG_LEVEL ??= "warn";
