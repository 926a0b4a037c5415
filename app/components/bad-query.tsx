// The body of a page whose address it cannot read (lib/query-params.ts): which parameter is wrong,
// what it held and the form it must take, and a way on. proxy.ts has already given the answer its
// HTTP 400 by the same check.
import type { QueryProblem } from "@/lib/query-params";

export function BadQuery({ problem, back }: { problem: QueryProblem; back?: { href: string; label: string } }) {
  return (
    <section className="empty-state" role="alert" aria-labelledby="bad-query-title">
      <title>Bad address · Paper Triage</title>
      <h1 id="bad-query-title">Bad address</h1>
      <p>
        The <code>{problem.param}</code> parameter of this address is wrong: {problem.message}
      </p>
      <p className="muted">HTTP 400 · fix the address, or follow the link below.</p>
      {back ? (
        <p>
          <a href={back.href}>{back.label}</a>
        </p>
      ) : null}
    </section>
  );
}
