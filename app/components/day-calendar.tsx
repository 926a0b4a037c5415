"use client";
// The days that have papers, as a month calendar in a disclosure: pick any day with data.
// A client component for the bytes: the page's React payload carries these few props instead of
// the month's whole tree (about 3 KB a listing); the server still renders the same HTML.
import Link from "next/link";
import type { DayCalendarProps } from "./day-calendar-props";

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

export function DayCalendar({ current, basePath, withData, months }: DayCalendarProps) {
  const available = new Set(withData);
  const month = current.slice(0, 7);
  const [y, m] = month.split("-").map(Number) as [number, number];
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7; // weeks start on Monday
  const today = Number(current.slice(8));
  return (
    <details className="calendar">
      <summary aria-label={`Choose a day (showing ${current})`}>{current}</summary>
      <div className="calendar-body">
        <p className="calendar-month">{`${MONTHS[m - 1]} ${y}`}</p>
        <div className="calendar-grid" role="grid">
          {WEEKDAYS.map((d) => (
            <span key={d} className="calendar-dow" aria-hidden>{d}</span>
          ))}
          {Array.from({ length: lead }, (_, i) => (
            <span key={`pad-${i}`} />
          ))}
          {Array.from({ length }, (_, i) => i + 1).map((n) =>
            available.has(n) ? (
              <Link key={n} href={`${basePath}?date=${month}-${String(n).padStart(2, "0")}`} aria-current={n === today ? "date" : undefined}>
                {n}
              </Link>
            ) : (
              <span key={n}>{n}</span>
            ),
          )}
        </div>
        {months.length > 1 ? (
          <p className="calendar-months">
            {months.map(({ month: mo, day }) => (
              <Link key={mo} href={`${basePath}?date=${day}`}>{mo}</Link>
            ))}
          </p>
        ) : null}
      </div>
    </details>
  );
}
