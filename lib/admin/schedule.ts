// The daily crawl schedule: validating a cron pattern an administrator typed, and applying it to the
// crawl queue's job scheduler at once (workers read the saved pattern again when they start).
import { z } from "zod";
import type { QueueConnection } from "../queue";

const RANGES: [number, number][] = [
  [0, 59], // minute
  [0, 23], // hour
  [1, 31], // day of month
  [1, 12], // month
  [0, 7], // day of week (0 and 7: Sunday)
];
const NAMES = ["minute", "hour", "day of month", "month", "day of week"];

function checkField(field: string, [min, max]: [number, number], name: string): string | null {
  for (const part of field.split(",")) {
    const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `the ${name} field "${field}" is not understood`;
    const [, , a, b, step] = m;
    const values = [a, b].filter((v): v is string => v !== undefined).map(Number);
    if (values.some((v) => v < min || v > max)) return `the ${name} field "${field}" must stay within ${min}–${max}`;
    if (values.length === 2 && values[0]! > values[1]!) return `the ${name} range "${part}" is inverted`;
    if (step !== undefined && Number(step) === 0) return `the ${name} step in "${part}" cannot be 0`;
  }
  return null;
}

/** Problem with a 5-field cron pattern (minute hour day month weekday, UTC), or null when it is valid. */
export function cronProblem(pattern: string): string | null {
  const fields = pattern.trim().split(/\s+/);
  if (fields.length !== 5) return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  for (const [i, field] of fields.entries()) {
    const problem = checkField(field, RANGES[i]!, NAMES[i]!);
    if (problem) return problem;
  }
  return null;
}

export const cronPattern = z
  .string()
  .trim()
  .max(100, "That schedule is too long.")
  .superRefine((v, ctx) => {
    const problem = cronProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: `Not a valid schedule: ${problem}. Example: "5,35 4-7 * * *".` });
  })
  .transform((v) => v.split(/\s+/).join(" "));

/** Replaces the repeated daily check's pattern on the crawl queue (same scheduler id as workers/index.ts). */
export async function applyCrawlSchedule(connection: QueueConnection, pattern: string): Promise<void> {
  await connection
    .queue("crawl")
    .upsertJobScheduler("daily-check", { pattern, tz: "UTC" }, { name: "daily-check", data: { kind: "daily-check", final: false } });
}
