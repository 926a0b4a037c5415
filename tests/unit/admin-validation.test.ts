// Admin input validation: the re-crawl form (categories, source, and dates and ranges for the API
// source; RSS takes none) and the schedule.
import { expect, test } from "vitest";
import { daysBetween, eachDay, MAX_RECRAWL_DAYS, recrawlInput } from "../../lib/admin/recrawl";
import { cronPattern, cronProblem } from "../../lib/admin/schedule";

const firstError = (input: unknown) => {
  const parsed = recrawlInput.safeParse(input);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
};

test("a valid re-crawl is normalised: trimmed, de-duplicated categories, `to` defaults to `from`", () => {
  expect(recrawlInput.parse({ categories: [" cs.CL", "cs.CL", "math"], source: "api", from: "2024-03-01" })).toEqual({
    categories: ["cs.CL", "math"],
    source: "api",
    from: "2024-03-01",
    to: "2024-03-01",
  });
  expect(recrawlInput.parse({ categories: ["cs.AI"], source: "api", from: "2024-03-01", to: "" })).toMatchObject({ to: "2024-03-01" });
});

test("an RSS re-crawl takes no date: the latest announcement, whatever its day", () => {
  expect(recrawlInput.parse({ categories: ["stat"], source: "rss" })).toEqual({ categories: ["stat"], source: "rss" });
  // Empty fields (a form's blank dates) are no dates.
  expect(recrawlInput.parse({ categories: ["stat"], source: "rss", from: "", to: " " })).toEqual({ categories: ["stat"], source: "rss" });
  const today = new Date().toISOString().slice(0, 10);
  expect(firstError({ categories: ["stat"], source: "rss", from: today })).toBe(
    "RSS re-crawls the latest announcement, whatever its day, and takes no date: leave the dates empty, or pick the API source for a given day.",
  );
  expect(firstError({ categories: ["stat"], source: "rss", to: "2024-03-02" })).toMatch(/^RSS re-crawls the latest announcement/);
});

test("an API re-crawl needs From; To is optional", () => {
  expect(firstError({ categories: ["cs.AI"], source: "api" })).toBe("The API source needs a day: fill in From (and To for a range).");
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "", to: "2024-03-02" })).toBe("The API source needs a day: fill in From (and To for a range).");
  expect(recrawlInput.parse({ categories: ["cs.AI"], source: "api", from: "2024-03-01", to: "2024-03-02" })).toEqual({
    categories: ["cs.AI"],
    source: "api",
    from: "2024-03-01",
    to: "2024-03-02",
  });
});

test("bad re-crawl input is refused with a message a person understands", () => {
  expect(firstError({ categories: ["cs.AI", "cs.NOPE", "x y"], source: "api", from: "2024-03-01" })).toBe('Not an arXiv category: "cs.NOPE", "x y".');
  expect(firstError({ categories: [], source: "api", from: "2024-03-01" })).toBe("Pick at least one category.");
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "2024-03-10", to: "2024-03-01" })).toBe(
    "The range is inverted: 2024-03-10 is after 2024-03-01.",
  );
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "2024-01-01", to: "2024-02-01" })).toBe(
    `The range is too large: 32 days; at most ${MAX_RECRAWL_DAYS} per re-crawl.`,
  );
  // Dates are checked as the pages check them (lib/query-params.ts): the calendar, not only the shape.
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "2023-02-29" })).toBe(
    '"2023-02-29" is not a date (2023-02 has days 01 to 28). Write dates as YYYY-MM-DD, such as 2025-04-28.',
  );
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "1 March" })).toBe('"1 March" is not a date. Write dates as YYYY-MM-DD, such as 2025-04-28.');
  expect(firstError({ categories: ["cs.AI"], source: "api", from: "2024-03-01", to: "2024-13-01" })).toMatch(/there is no month 13/);
  expect(firstError({ categories: ["cs.AI"], source: "ftp", from: "2024-03-01" })).toBe("The source is RSS (the latest announcement) or API (any past days).");
  const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  expect(firstError({ categories: ["cs.AI"], source: "api", from: future })).toBe(`${future} is in the future.`);
});

test("31 days are allowed, and split into one run per day", () => {
  expect(recrawlInput.safeParse({ categories: ["cs.AI"], source: "api", from: "2024-01-01", to: "2024-01-31" }).success).toBe(true);
  expect(daysBetween("2024-02-28", "2024-03-01")).toBe(3);
  expect(eachDay("2024-02-28", "2024-03-01")).toEqual(["2024-02-28", "2024-02-29", "2024-03-01"]);
});

test("schedules: five cron fields within their ranges", () => {
  expect(cronProblem("5,35 4-7 * * *")).toBeNull();
  expect(cronProblem("*/15 0 1-15 */2 1-5")).toBeNull();
  expect(cronProblem("5 4 * *")).toBe("expected 5 fields (minute hour day-of-month month day-of-week), got 4");
  expect(cronProblem("61 4 * * *")).toBe('the minute field "61" must stay within 0–59');
  expect(cronProblem("5 7-4 * * *")).toBe('the hour range "7-4" is inverted');
  expect(cronProblem("*/0 4 * * *")).toBe('the minute step in "*/0" cannot be 0');
  expect(cronProblem("5 4 * * MON")).toBe('the day of week field "MON" is not understood');
  expect(cronPattern.parse("  5   4 * * * ")).toBe("5 4 * * *");
  expect(cronPattern.safeParse("every day").error?.issues[0]?.message).toBe(
    'Not a valid schedule: expected 5 fields (minute hour day-of-month month day-of-week), got 2. Example: "5,35 4-7 * * *".',
  );
});
