// 403: signed in, but without the role the page needs (the admin pages call forbidden()).
import Link from "next/link";

export default function Forbidden() {
  return (
    <section className="empty-state">
      <title>Not allowed · Paper Triage</title>
      <h1>Not allowed</h1>
      <p>This page is for administrators. An administrator can give your account the role from the Users page.</p>
      <p>
        <Link href="/">Today&apos;s papers</Link>
      </p>
    </section>
  );
}
