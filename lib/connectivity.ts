// Start-up checks that turn "cannot reach the database / Redis" into one line saying what to do.
import pg from "pg";
import { Redis } from "ioredis";
import { redactUrl } from "./queue";

export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

function reason(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errors?: Error[] };
  if (e?.code === "ECONNREFUSED") return "connection refused";
  if (e?.code === "ENOTFOUND") return "host not found";
  if (e?.errors?.length) return reason(e.errors[0]);
  return e?.message || String(error);
}

export async function checkDatabase(url: string, timeoutMs = 5_000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new StartupError(
      `Cannot reach PostgreSQL at ${redactUrl(url)}: ${reason(error)}. ` +
        `Start PostgreSQL or fix DATABASE_URL (unset it to use the embedded database).`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(url: string, timeoutMs = 5_000): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The socket's own error (e.g. ECONNREFUSED) is more telling than connect()'s "Connection is closed".
  let socketError: unknown;
  redis.on("error", (error) => (socketError ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new StartupError(
      `Cannot reach Redis at ${redactUrl(url)}: ${reason(socketError ?? error)}. ` +
        `Start Redis or fix REDIS_URL (unset it to keep the queues in PostgreSQL).`,
    );
  } finally {
    redis.disconnect();
  }
}
