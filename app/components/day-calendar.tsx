// The days that have papers, as a month calendar in a disclosure: pick any day with data.
import Link from "next/link";

export function DayCalendar({ days, current, basePath }: { days: string[]; current: string; basePath: string }) {
  const available = new Set(days);
  const month = current.slice(0, 7);
  const months = [...new Set(days.map((d) => d.slice(0, 7)))];
  const [y, m] = month.split("-").map(Number) as [number, number];
  const first = new Date(Date.UTC(y, m - 1, 1));
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7; // weeks start on Monday
  const cells: (string | null)[] = [...Array(lead).fill(null), ...Array.from({ length }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`)];
  return (
    <details className="calendar">
      <summary aria-label={`Choose a day (showing ${current})`}>{current}</summary>
      <div className="calendar-body">
        <p className="calendar-month">{first.toLocaleDateString("en", { month: "long", year: "numeric", timeZone: "UTC" })}</p>
        <div className="calendar-grid" role="grid">
          {["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].map((d) => (
            <span key={d} className="calendar-dow" aria-hidden>{d}</span>
          ))}
          {cells.map((d, i) =>
            d === null ? (
              <span key={`pad-${i}`} />
            ) : available.has(d) ? (
              <Link key={d} href={`${basePath}?date=${d}`} aria-current={d === current ? "date" : undefined} className="calendar-day has-data">
                {Number(d.slice(8))}
              </Link>
            ) : (
              <span key={d} className="calendar-day">{Number(d.slice(8))}</span>
            ),
          )}
        </div>
        {months.length > 1 ? (
          <p className="calendar-months">
            {months.slice(0, 12).map((mo) => (
              <Link key={mo} href={`${basePath}?date=${days.find((d) => d.startsWith(mo))}`}>{mo}</Link>
            ))}
          </p>
        ) : null}
      </div>
    </details>
  );
}
