// Job queues: names, payload schemas, default job options, and the connection. The queues live in
// Redis when REDIS_URL is set, otherwise in PostgreSQL through BullMQ's PostgreSQL backend; web,
// workers and tests use the same functions either way.
import {
  createPostgresBackend,
  Queue,
  Worker,
  withBackend,
  type JobsOptions,
  type Processor,
  type WorkerOptions,
} from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import { env } from "./env";

export const QUEUE_NAMES = ["crawl", "embed", "summarize", "train", "digest"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** Payload schemas: workers parse the payload again before acting on it. Ids only, never secrets. */
export const payloadSchemas = {
  crawl: z.discriminatedUnion("kind", [
    /** Work on one recorded crawl run; API crawls continue page by page (`start`). */
    z.object({ kind: z.literal("run"), runId: z.uuid(), start: z.number().int().min(0).optional() }),
    /** The scheduled check: has arXiv announced the followed categories' new day? */
    z.object({ kind: z.literal("daily-check"), final: z.boolean().default(false) }),
  ]),
  embed: z.union([
    /** These papers, when their vector is missing or stale (after a crawl). */
    z.object({ paperIds: z.array(z.string().min(1)).max(1000) }),
    /** Every paper: "missing" embeds those without a current vector, "all" re-embeds every one. */
    z.object({ scope: z.enum(["missing", "all"]) }),
  ]),
  summarize: z.object({ faqId: z.uuid() }),
  train: z.union([
    /** Train one topic's model (its labels, text or settings changed). */
    z.object({ topicId: z.uuid() }),
    /** Compute the term vectors listed and labelled papers lack, then train every stale topic. */
    z.object({ backfill: z.literal(true) }),
  ]),
  /** Send the daily digests of an announced day (lib/digest), once its papers can be scored. */
  digest: z.object({ date: z.iso.date() }),
} satisfies Record<QueueName, z.ZodType>;

export type Payload<N extends QueueName> = z.infer<(typeof payloadSchemas)[N]>;

export const defaultJobOptions: JobsOptions = {
  attempts: 3,
  backoff: { type: "exponential", delay: 2_000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 5_000 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

export type QueueBackendKind = "redis" | "postgres";

export interface QueueConnectionConfig {
  redisUrl?: string;
  databaseUrl?: string;
  /** Schema for the queue tables on the PostgreSQL backend. */
  pgSchema?: string;
  /** Key prefix on Redis (BullMQ's `prefix`); tests use one of their own. */
  prefix?: string;
}

/** One process's link to the queue store; closes every queue and worker it created. */
export class QueueConnection {
  readonly kind: QueueBackendKind;
  readonly description: string;
  private readonly redis?: Redis;
  private readonly pgConnection?: { connectionString: string; schema: string; migrate: true };
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private readonly pgClasses = withBackend(createPostgresBackend);
  private readonly prefix: string | undefined;

  constructor(config: QueueConnectionConfig) {
    this.prefix = config.prefix;
    if (config.redisUrl) {
      this.kind = "redis";
      this.description = `Redis at ${redactUrl(config.redisUrl)}`;
      // Workers block on this connection: BullMQ requires maxRetriesPerRequest = null.
      this.redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
      // Errors surface through the queue calls; an unhandled 'error' event would crash the process.
      this.redis.on("error", () => {});
    } else if (config.databaseUrl) {
      this.kind = "postgres";
      const schema = config.pgSchema ?? "bullmq";
      this.description = `PostgreSQL (schema ${schema}) at ${redactUrl(config.databaseUrl)}`;
      this.pgConnection = { connectionString: config.databaseUrl, schema, migrate: true };
    } else {
      throw new Error("No queue store: set REDIS_URL, or DATABASE_URL for the PostgreSQL backend.");
    }
  }

  queue<N extends QueueName>(name: N | string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.redis
        ? new Queue(name, { connection: this.redis, defaultJobOptions, prefix: this.prefix })
        : // Same API on both backends; only the connection type parameter differs.
          (new this.pgClasses.Queue(name, { connection: this.pgConnection!, defaultJobOptions }) as unknown as Queue);
      queue.on("error", () => {});
      this.queues.set(name, queue);
    }
    return queue;
  }

  worker<D, R>(
    name: string,
    processor: Processor<D, R>,
    options: Omit<WorkerOptions, "connection"> = {},
  ): Worker<D, R> {
    const worker = this.redis
      ? new Worker<D, R>(name, processor, { ...options, connection: this.redis, prefix: this.prefix })
      : (new this.pgClasses.Worker<D, R>(name, processor, {
          ...options,
          connection: this.pgConnection!,
        }) as unknown as Worker<D, R>);
    this.workers.push(worker as Worker);
    return worker;
  }

  /** Resolves when the store answers; rejects with its error otherwise. */
  async ping(timeoutMs = 3_000): Promise<void> {
    const check = this.redis
      ? this.redis.ping().then(() => undefined)
      : this.queue("crawl").getJobCounts().then(() => undefined);
    await withTimeout(check, timeoutMs, `queue store did not answer within ${timeoutMs} ms`);
  }

  /** Closes workers first (they finish their active jobs), then queues, then the connection. */
  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.close()));
    await Promise.allSettled([...this.queues.values()].map((q) => q.close()));
    if (this.redis && this.redis.status !== "end") await this.redis.quit().catch(() => this.redis?.disconnect());
    this.workers.length = 0;
    this.queues.clear();
  }
}

const globalForQueue = globalThis as unknown as { appQueue?: QueueConnection };

/** This process's queue connection from the environment (web server, health); made on first use. */
export function appQueue(): QueueConnection {
  const config = env();
  globalForQueue.appQueue ??= new QueueConnection({
    redisUrl: config.REDIS_URL,
    databaseUrl: config.DATABASE_URL,
    pgSchema: config.QUEUE_PG_SCHEMA,
  });
  return globalForQueue.appQueue;
}

/** Adds a job after validating its payload against the queue's schema. */
export async function enqueue<N extends QueueName>(
  connection: QueueConnection,
  name: N,
  payload: Payload<N>,
  options: JobsOptions = {},
) {
  const data = payloadSchemas[name].parse(payload);
  return connection.queue(name).add(name, data, options);
}

/**
 * Queues one step of crawl run `runId`. The job id is derived from the run and page, so enqueueing
 * the same step twice (a retried job, two clicks) adds it once.
 */
export async function enqueueCrawl(
  connection: QueueConnection,
  runId: string,
  options: { start?: number; retryDelayMs?: number; priority?: number } = {},
) {
  const start = options.start ?? 0;
  return enqueue(connection, "crawl", { kind: "run", runId, start }, {
    jobId: `run-${runId}-${start}`,
    attempts: 3,
    backoff: { type: "exponential", delay: options.retryDelayMs ?? 60_000 },
    priority: options.priority,
  });
}

/**
 * Queues embedding of every paper without a vector for its latest version and the current model
 * (`scope: "all"`: every paper again, e.g. after changing the model). Progress is on the job.
 */
export async function enqueueEmbedAll(connection: QueueConnection, scope: "missing" | "all" = "missing", options: JobsOptions = {}) {
  return enqueue(connection, "embed", { scope }, options);
}

/**
 * Queues training of a topic's model. While one is waiting, another is not added; while one runs,
 * exactly one more waits (BullMQ's keepLastIfActive), so a burst of labels trains at most twice and
 * the last label is never left out.
 */
export async function enqueueTraining(connection: QueueConnection, topicId: string) {
  return enqueue(connection, "train", { topicId }, {
    deduplication: { id: `topic-${topicId}`, keepLastIfActive: true },
    removeOnComplete: { age: 24 * 3600, count: 1_000 },
  });
}

/** Queues the backfill of term vectors and stale topics (at worker start, after a feature recipe change). */
export async function enqueueFeatureBackfill(connection: QueueConnection) {
  return enqueue(connection, "train", { backfill: true }, { deduplication: { id: "backfill", keepLastIfActive: true }, priority: 10 });
}

/**
 * Queues the daily digests of announced day `date` (after a crawl stored it); the job waits until the
 * day can be scored. Deduplicated by the day while its job is waiting or running, so crawls, retries
 * and several workers queue it once; a job that has ended (failed, or done while a topic was still
 * waiting) does not block the day the way a fixed job id would (failed jobs are kept 30 days): the
 * next crawl queues it again, and deliveries already made are not made twice (lib/queries/digests.ts).
 */
export async function enqueueDigest(connection: QueueConnection, date: string) {
  return enqueue(connection, "digest", { date }, { deduplication: { id: `digest-${date}` }, attempts: 5, backoff: { type: "exponential", delay: 30_000 } });
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? ":***" : ""}@` : ""}${parsed.host}${parsed.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
