// 404: the address names nothing here.
import type { Metadata } from "next";
import { NotFoundBody } from "./components/status-pages";

// The metadata names an unmatched address; the <title> in the body also wins over the page's own when a page calls notFound().
export const metadata: Metadata = { title: "Not found" };

export default function NotFound() {
  return <NotFoundBody />;
}
