"use client";
// A listing's head: its title, the previous and next day around the calendar, the announce-type
// tabs with their counts and the order. A client component for the bytes: the page's React payload
// carries the links and labels below, not the head's whole tree; the server renders the same HTML.
import Link from "next/link";
import { DayCalendar } from "./day-calendar";
import type { DayCalendarProps } from "./day-calendar-props";

interface HeadLink {
  href: string;
  label: string;
  current?: boolean;
}

export interface ListingHeadProps {
  title: string;
  /** The days before and after the one shown, when there are. */
  older?: HeadLink;
  newer?: HeadLink;
  calendar: DayCalendarProps;
  tabs: (HeadLink & { key: string })[];
  feedHref: string;
  sorts: (HeadLink & { key: string })[];
}

export function ListingHead({ title, older, newer, calendar, tabs, feedHref, sorts }: ListingHeadProps) {
  return (
    <header className="listing-head">
      <h1 id="listing-title">{title}</h1>
      <nav className="day-nav" aria-label="Days">
        {older ? <Link href={older.href} rel="prev">{`← ${older.label}`}</Link> : <span className="muted">← no older day</span>}
        <DayCalendar {...calendar} />
        {newer ? <Link href={newer.href} rel="next">{`${newer.label} →`}</Link> : <span className="muted">latest →</span>}
      </nav>
      <nav className="tabs" aria-label="Announce types">
        {tabs.map((t) => (
          <Link key={t.key} href={t.href} aria-current={t.current ? "page" : undefined} className="tab">
            {t.label}
          </Link>
        ))}
        <a className="feed-link" href={feedHref}>RSS</a>
      </nav>
      <nav className="sort-nav" aria-label="Order">
        <span className="muted">Order:</span>
        {sorts.map((s) => (
          <Link key={s.key} href={s.href} aria-current={s.current ? "page" : undefined} className="sort-link">
            {s.label}
          </Link>
        ))}
      </nav>
    </header>
  );
}
