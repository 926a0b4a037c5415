// What the day calendar (a client component, day-calendar.tsx) needs, cut down on the server from
// every day with data, so the page's React payload stays small.

export interface DayCalendarProps {
  /** The day shown (YYYY-MM-DD); its month is the one drawn. */
  current: string;
  basePath: string;
  /** Days of that month that have papers (1–31). */
  withData: number[];
  /** The newest months with papers (at most 12), each with the newest day to open there; shown when more than one. */
  months: { month: string; day: string }[];
}

/** The calendar's props from every day with data (newest first) and the day shown. */
export function dayCalendarProps(days: string[], current: string, basePath: string): DayCalendarProps {
  const month = current.slice(0, 7);
  const months: DayCalendarProps["months"] = [];
  for (const d of days) if (months.length < 12 && !months.some((m) => m.month === d.slice(0, 7))) months.push({ month: d.slice(0, 7), day: d });
  return { current, basePath, withData: days.filter((d) => d.startsWith(month)).map((d) => Number(d.slice(8))), months };
}
