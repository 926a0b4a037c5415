// A job goes through a real BullMQ queue and comes back, on every queue store the app supports:
// Redis, the PostgreSQL backend on the real server, and the PostgreSQL backend on the embedded engine.
import { randomBytes } from "node:crypto";
import { expect, inject, test } from "vitest";
import { startEmbeddedPostgres } from "../../lib/embedded-postgres";
import { QueueConnection, type QueueConnectionConfig } from "../../lib/queue";

async function roundTrip(config: QueueConnectionConfig) {
  const connection = new QueueConnection(config);
  const name = `roundtrip-${randomBytes(4).toString("hex")}`;
  try {
    await connection.ping(10_000);
    const seen: number[] = [];
    let attempts = 0;
    const worker = connection.worker<{ n: number }, { doubled: number }>(name, async (job) => {
      attempts += 1;
      // The first attempt fails: the retry must happen through the queue store too.
      if (attempts === 1) throw new Error("transient failure on purpose");
      seen.push(job.data.n);
      return { doubled: job.data.n * 2 };
    });
    const completed = new Promise<{ doubled: number }>((resolve, reject) => {
      worker.on("completed", (_job, value) => resolve(value));
      worker.on("failed", (job, error) => {
        if (job && job.attemptsMade >= 2) reject(error);
      });
    });
    const job = await connection.queue(name).add("double", { n: 21 }, { attempts: 2, backoff: { type: "fixed", delay: 50 } });
    expect(await completed).toEqual({ doubled: 42 });
    expect(seen).toEqual([21]);
    expect(attempts).toBe(2);
    const stored = await connection.queue(name).getJob(job.id!);
    expect(await stored?.getState()).toBe("completed");
    expect(stored?.returnvalue).toEqual({ doubled: 42 });
  } finally {
    await connection.close();
  }
}

const redisUrl = inject("redisUrl");
test.skipIf(!redisUrl)("a job round-trips through BullMQ on Redis", async () => {
  await roundTrip({ redisUrl, prefix: `test-${randomBytes(4).toString("hex")}` });
});

test.skipIf(inject("databaseKind") !== "postgres")("a job round-trips through BullMQ on PostgreSQL", async () => {
  await roundTrip({ databaseUrl: inject("databaseUrl"), pgSchema: "bullmq" });
});

test("a job round-trips through BullMQ on the embedded database (no Redis)", async () => {
  const embedded = await startEmbeddedPostgres({});
  try {
    await roundTrip({ databaseUrl: embedded.url, pgSchema: "public" });
  } finally {
    await embedded.stop();
  }
});
