// 404: the address names nothing here.
import type { Metadata } from "next";
import Link from "next/link";

// The metadata names an unmatched address; the <title> below also wins over the page's own when a page calls notFound().
export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return (
    <section className="empty-state">
      <title>Not found · Paper Triage</title>
      <h1>Not found</h1>
      <p>Nothing lives at this address. Check the link, or go back to today&apos;s papers.</p>
      <p>
        <Link href="/">Today&apos;s papers</Link>
      </p>
    </section>
  );
}
