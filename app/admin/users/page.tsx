// Users: every account with its role and state; promote/demote, disable/enable.
import type { Metadata } from "next";
import { adminPage } from "@/lib/admin/guard";
import { listUsers } from "@/lib/queries/users";
import { ActionButton } from "../admin-client";
import { changeUserRole, setUserDisabledAction } from "./actions";

export const metadata: Metadata = { title: "Users · Admin" };
export const dynamic = "force-dynamic";

export default async function UsersPage() {
  const me = await adminPage("/admin/users");
  const users = await listUsers();
  return (
    <>
      <h1>Users</h1>
      {users.length === 0 ? (
        <p className="empty-state">No accounts yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="admin-table users-table">
            <thead><tr><th>E-mail</th><th>Role</th><th>State</th><th className="num">Stars</th><th>Joined</th><th>Last seen</th><th /></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id} data-user-email={u.email}>
                  <td>{u.email}{u.id === me.id ? <span className="muted"> (you)</span> : null}</td>
                  <td>{u.role}</td>
                  <td>{u.banned ? <span className="status-pill status-failed">disabled</span> : "active"}</td>
                  <td className="num">{u.stars}</td>
                  <td>{u.createdAt.toISOString().slice(0, 10)}</td>
                  <td>{u.lastSeenAt ? u.lastSeenAt.toISOString().slice(0, 10) : "—"}</td>
                  <td>
                    <ActionButton
                      action={changeUserRole}
                      args={{ userId: u.id, role: u.role === "admin" ? "user" : "admin" }}
                      label={u.role === "admin" ? "Demote" : "Make admin"}
                      confirm={u.role === "admin" ? `Remove administrator rights from ${u.email}?` : undefined}
                    />
                    <ActionButton
                      action={setUserDisabledAction}
                      args={{ userId: u.id, disabled: !u.banned }}
                      label={u.banned ? "Enable" : "Disable"}
                      confirm={u.banned ? undefined : `Disable ${u.email}? They are signed out at once and cannot sign in.`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
