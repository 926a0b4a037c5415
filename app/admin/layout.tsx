// The admin area's frame: the role check (again in every page, action and route handler, since a
// layout does not guard those), and the section navigation.
import type { ReactNode } from "react";
import { adminPage } from "@/lib/admin/guard";
import { AdminNav, AdminNotices } from "./admin-client";
import "./admin.css";

export const dynamic = "force-dynamic";

const SECTIONS: [string, string][] = [
  ["/admin", "Overview"],
  ["/admin/crawl", "Re-crawl"],
  ["/admin/history", "Crawl history"],
  ["/admin/queues", "Queues"],
  ["/admin/users", "Users"],
  ["/admin/audit", "Audit log"],
];

export default async function AdminLayout({ children }: { children: ReactNode }) {
  await adminPage("/admin");
  return (
    <div className="admin">
      <AdminNav sections={SECTIONS} />
      <AdminNotices />
      {children}
    </div>
  );
}
