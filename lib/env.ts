// All configuration: one zod schema, parsed once. The only module that reads process.env.
// A wrong value stops startup with a message naming the variable and what it expects.
import { z } from "zod";

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(`${p}://`)), {
      message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(" or ")} (e.g. ${example})`,
    });

const bool = z
  .enum(["true", "false", "1", "0", "yes", "no", ""])
  .default("false")
  .transform((v) => v === "true" || v === "1" || v === "yes");

const categoryList = z
  .string()
  .transform((v) =>
    v
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter(Boolean),
  )
  .refine((list) => list.every((c) => /^[a-z-]+(\.[A-Za-z-]+)?$/.test(c)), {
    message: "expected a comma-separated list of arXiv categories such as cs.AI,cs.CL,math.NA",
  });

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** How log lines are written: "pretty" (readable, one line each) or "json" (one JSON object per
   *  line, for log collectors). Unset: pretty when standard output is a terminal, else json
   *  (lib/logger.ts decides; child processes of `npm start` share its terminal). */
  LOG_FORMAT: z
    .enum(["pretty", "json", ""])
    .optional()
    .transform((v) => (v === "" ? undefined : v)),

  /** PostgreSQL. Unset: an embedded PostgreSQL (PGlite) keeps its data under DATA_DIR. */
  DATABASE_URL: optionalUrl(["postgres", "postgresql"], "postgresql://user:pass@localhost:5432/papers"),
  /** Redis for the job queues. Unset: the queues live in PostgreSQL (BullMQ's PostgreSQL backend). */
  REDIS_URL: optionalUrl(["redis", "rediss"], "redis://localhost:6379"),
  /** Schema holding the queue tables when the queues live in PostgreSQL (no REDIS_URL). */
  QUEUE_PG_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]*$/, "expected a lowercase SQL identifier").default("bullmq"),
  /** Where the embedded database and other local state live. */
  DATA_DIR: z.string().min(1).default("./data"),

  /** The address readers use (links in feeds and e-mails, sign-in origin check). Default http://HOST:PORT. */
  PUBLIC_URL: optionalUrl(["http", "https"], "https://papers.example.org"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Not a setting: scripts/web.ts gives its Next.js processes the port its front answers on (PORT),
   *  since Next.js sets PORT to each process's own private port. */
  WEB_FRONT_PORT: z.coerce.number().int().min(1).max(65535).optional(),

  // Accounts
  /** Signs session cookies. Unset: `npm start` keeps a random one in DATA_DIR/auth-secret. */
  AUTH_SECRET: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine((v) => v === undefined || v.length >= 32, {
      message: "expected at least 32 characters (e.g. the output of `openssl rand -hex 32`)",
    }),
  /** Sign-in and sign-up attempts per minute from one client address (the auth library answers 429
   *  beyond); 0 turns the auth library's rate limiting off. */
  AUTH_RATE_LIMIT: z.coerce.number().int().min(0).max(100_000).default(10),
  /** Proxies whose X-Forwarded-For entries are believed (addresses or CIDR ranges, comma-separated):
   *  the client address that sign-in limits count is the last one added by a hop not in this list.
   *  Default: this machine only (a reverse proxy on the same host). */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v) => (v ?? "127.0.0.1/32,::1/128").split(/[\s,;]+/).map((e) => e.trim()).filter(Boolean))
    .refine((list) => list.every((e) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(e)), {
      message: "expected a comma-separated list of addresses or CIDR ranges such as 127.0.0.1/32,172.16.0.0/12",
    }),
  /** Addresses that are administrators (on sign-up, and on sign-in when the account already exists). */
  ADMIN_EMAILS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split(/[\s,;]+/).map((e) => e.trim().toLowerCase()).filter(Boolean))
    .refine((list) => list.every((e) => /^[^@\s]+@[^@\s]+$/.test(e)), {
      message: "expected a comma-separated list of e-mail addresses such as ada@example.org,alan@example.org",
    }),

  /**
   * When the daily crawl checks for arXiv's announcement (cron, UTC). The RSS feeds change around
   * midnight US Eastern (04:00–05:00 UTC); checks repeat until the new day is seen.
   */
  CRAWL_SCHEDULE: z.string().min(9).default("5,35 4-7 * * *"),
  /** Last check of the day (cron, UTC): a day still without an announcement is recorded as such. */
  CRAWL_FINAL_CHECK: z.string().min(9).default("55 7 * * *"),
  /** Crawl the followed categories at once when the database has never been crawled. */
  CRAWL_ON_FIRST_START: bool.default(true),
  /** First wait before a failed crawl job is tried again (then doubling; 3 attempts in all). */
  CRAWL_RETRY_DELAY_MS: z.coerce.number().int().min(0).default(60_000),
  /** Entries per arXiv API page for date-range crawls (arXiv allows up to 2000). */
  ARXIV_API_PAGE_SIZE: z.coerce.number().int().min(1).max(2000).default(200),
  /** arXiv categories crawled every day. */
  ARXIV_CATEGORIES: categoryList.default(["cs.AI", "cs.CL", "cs.LG", "cs.CV"]),

  // arXiv
  /** Daily listings; a request is `${ARXIV_RSS_URL}/cs.AI+cs.CL`. */
  ARXIV_RSS_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("https://rss.arxiv.org/rss"),
  /** Atom search API (id_list, search_query, paging). */
  ARXIV_API_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("https://export.arxiv.org/api/query"),
  /** PDFs; a request is `${ARXIV_PDF_URL}/2104.12255v2`. */
  ARXIV_PDF_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("https://arxiv.org/pdf"),
  /** arXiv asks automated clients to identify themselves: set it to name this instance and a contact
   *  address, e.g. "paper-triage/0.1 (+mailto:you@example.org)". */
  ARXIV_USER_AGENT: z
    .string()
    .trim()
    .min(1)
    .default("paper-triage/0.1 (self-hosted arXiv paper triage; operator has not set a contact)"),
  /** Per request, including reading the body. */
  ARXIV_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** arXiv's API terms: no more than one request every 3 seconds. Spacing per process. */
  ARXIV_API_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(600_000).default(3_000),

  // LLM
  /** Any OpenAI-compatible chat-completions endpoint. Unset key and URL: LLM features are off. */
  OPENAI_BASE_URL: optionalUrl(["http", "https"], "https://api.openai.com/v1"),
  OPENAI_API_KEY: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  LLM_MODEL: z.string().min(1).default("gpt-4o-mini"),
  /** Per attempt, from sending the request to the last token of the streamed answer. */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  /** Longest answer, in tokens (sent as max_tokens); a longer answer fails as "truncated". */
  LLM_MAX_TOKENS: z.coerce.number().int().min(1).max(1_000_000).default(1200),

  // FAQ
  /** New FAQ generations one account may start per hour (cached FAQs are always free to read). */
  FAQ_USER_HOURLY_LIMIT: z.coerce.number().int().min(0).max(100_000).default(30),
  /** Let signed-out readers start FAQ generations too (true), or only signed-in ones (false). */
  FAQ_OPEN: bool.default(false),
  /** FAQ jobs (each one LLM call at a time) processed in parallel per worker process. */
  SUMMARIZE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** FAQ generations started per minute by all workers together (BullMQ rate limiter); 0: no limit. */
  SUMMARIZE_RATE_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(20),
  /** Answer from the paper's PDF text (downloaded from ARXIV_PDF_URL) instead of title + abstract only. */
  FAQ_FULL_TEXT: bool.default(false),
  /** Most paper text sent with each question, in estimated tokens (see lib/faq/full-text.ts); longer text is cut. */
  FAQ_MAX_INPUT_TOKENS: z.coerce.number().int().min(100).max(2_000_000).default(16_000),
  /** Replaces the default FAQ questions: "|"-separated, e.g. "What is new?|What are the limits?". */
  FAQ_QUESTIONS: z
    .string()
    .optional()
    .transform((v) => (v ?? "").split("|").map((q) => q.trim()).filter(Boolean))
    .refine((list) => list.length <= 20 && list.every((q) => q.length <= 500), {
      message: 'expected at most 20 "|"-separated questions of at most 500 characters each',
    }),

  /** Directory laid out like a Hugging Face download (config.json, tokenizer.json, onnx/model*.onnx).
   *  Unset: DATA_DIR/models/all-MiniLM-L6-v2. */
  EMBEDDING_MODEL_DIR: z.string().trim().optional().transform((v) => (v === "" ? undefined : v)),
  EMBEDDING_DEVICE: z.enum(["cpu", "cuda"]).default("cpu"),
  EMBEDDING_THREADS: z.coerce.number().int().min(1).max(256).default(1),
  /** Texts per model run; small batches waste least on padding (texts are sorted by length first). */
  EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(1024).default(8),
  /** Tokens per text, [CLS] and [SEP] included (the model was trained on 256; its limit is 512). */
  EMBEDDING_MAX_TOKENS: z.coerce.number().int().min(8).max(512).default(256),
  /** Where `npm run model:download` fetches the model: `${base}/${repo}/resolve/main/${file}`. */
  MODEL_DOWNLOAD_URL: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).default("https://huggingface.co"),

  /** When set, the worker process touches this file every 10 s (container healthchecks read it). */
  WORKER_HEARTBEAT_FILE: z.string().min(1).optional(),
  /** How long the web server keeps a listing's rows before reading them again (0: never keep). */
  LISTING_CACHE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  /** How long the web front keeps a page a signed-out reader saw and serves it again without
   *  rendering (lib/page-cache.ts); 0: no front, `next start` answers on PORT itself. */
  PAGE_CACHE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
  /** For this long after PAGE_CACHE_SECONDS ran out, a kept page is still served at once while one
   *  render in the background replaces it (stale-while-revalidate); 0: readers wait for the render. */
  PAGE_CACHE_STALE_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Whether signed-in readers of listings get the kept page with their own parts put in
   *  (lib/reader-pages.ts) rather than a render of their own; false: always their own render. */
  PAGE_CACHE_READERS: bool.default(true),
  /** Next.js processes behind the page cache (one renders on one core). Default: the number of
   *  cores, at most 4. */
  WEB_PROCESSES: z.coerce.number().int().min(1).max(64).optional(),
  /** Scheduling priority (nice) of the worker processes: above 0 they yield the CPU to the web
   *  server and the database, so readers are served first while crawls and embeddings run. */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Run the queue workers inside `npm start` (true) or only the web server (false). */
  START_WORKERS: bool.default(true),

  // Daily digests (lib/digest)
  /** SMTP server for e-mail digests, e.g. smtp://user:pass@mail.example.org:587 (STARTTLS when the
   *  server offers it) or smtps://…:465. Unset: e-mail digests are not offered; webhooks still work. */
  SMTP_URL: optionalUrl(["smtp", "smtps"], "smtp://user:pass@mail.example.org:587"),
  /** The From of digest e-mails. Unset: "Paper Triage <digests@HOST of PUBLIC_URL>". */
  MAIL_FROM: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === "" ? undefined : v))
    .refine((v) => v === undefined || /^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(v), {
      message: 'expected an address such as digests@example.org or "Paper Triage <digests@example.org>"',
    }),
  /** Let digest webhooks reach this machine's and its network's private addresses (loopback, RFC 1918,
   *  link-local, ULA). Off: such a webhook address is refused when saved and when sent to. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
});

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(
      "Invalid configuration:\n" +
        issues.map((i) => `  ${i.variable}: ${i.message}`).join("\n") +
        "\nFix these environment variables (see .env.example) and start again.",
    );
    this.name = "ConfigError";
  }
}

/** Parses a set of variables; throws ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? "(unknown)"),
      message: issue.message,
    })),
  );
}

let cached: Env | undefined;

/** The configuration of this process, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * Sets variables of this process's environment (undefined ones are left alone) and parses it again
 * on next use: for a launcher that derives settings (a kept secret, the front's port) after modules
 * it imported have read the configuration.
 */
export function setProcessEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) if (value !== undefined) process.env[name] = value;
  cached = undefined;
}

/** The port readers reach the app on: the web front's when behind it, else PORT. */
export function readerPort(config: Env = env()): number {
  return config.WEB_FRONT_PORT ?? config.PORT;
}

/** Where this machine reaches the app: http://HOST:port, with localhost for a wildcard HOST. */
export function localUrl(config: Env = env()): string {
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  return `http://${host.includes(":") ? `[${host}]` : host}:${readerPort(config)}`;
}

/** The address the app is reached at (links in feeds, sign-in origin check): PUBLIC_URL, else localUrl. */
export function publicUrl(config: Env = env()): string {
  return config.PUBLIC_URL ? config.PUBLIC_URL.replace(/\/+$/, "") : localUrl(config);
}

/** Loads ./.env into process.env when present (variables already set win). */
export function loadDotEnv(path = ".env"): void {
  try {
    process.loadEnvFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
