// Accounts as administrators see them: list, role changes, disabling (better-auth's "banned" columns).
import type { Role } from "../generated/prisma/client";
import { db } from "../db";

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  banned: boolean;
  banReason: string | null;
  createdAt: Date;
  stars: number;
  lastSeenAt: Date | null;
}

export async function listUsers(options: { query?: string; limit?: number } = {}): Promise<UserRow[]> {
  const q = options.query?.trim();
  const rows = await db().user.findMany({
    where: q ? { OR: [{ email: { contains: q, mode: "insensitive" } }, { name: { contains: q, mode: "insensitive" } }] } : {},
    orderBy: { createdAt: "asc" },
    take: options.limit ?? 500,
    include: {
      _count: { select: { stars: true } },
      sessions: { select: { updatedAt: true }, orderBy: { updatedAt: "desc" }, take: 1 },
    },
  });
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    banned: u.banned,
    banReason: u.banReason,
    createdAt: u.createdAt,
    stars: u._count.stars,
    lastSeenAt: u.sessions[0]?.updatedAt ?? null,
  }));
}

export async function getUser(id: string) {
  return db().user.findUnique({ where: { id }, select: { id: true, email: true, role: true, banned: true } });
}

export async function countAdmins(options: { activeOnly?: boolean } = {}): Promise<number> {
  return db().user.count({ where: { role: "admin", ...(options.activeOnly ? { banned: false } : {}) } });
}

/**
 * Sets a user's role. Demoting the last active administrator is refused inside one transaction
 * (with a lock, so two admins demoting each other at once cannot leave none).
 */
export async function setUserRole(id: string, role: Role): Promise<"ok" | "last-admin" | "not-found"> {
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('paper-triage:admins'))`);
    const user = await tx.user.findUnique({ where: { id }, select: { role: true } });
    if (!user) return "not-found";
    if (role === "user" && user.role === "admin") {
      const others = await tx.user.count({ where: { role: "admin", banned: false, id: { not: id } } });
      if (others === 0) return "last-admin";
    }
    await tx.user.update({ where: { id }, data: { role } });
    return "ok";
  });
}

/**
 * Disables (banned) or enables an account. Disabling deletes its sessions, so it is signed out at
 * once; better-auth's admin plugin refuses sign-in to a banned account. The last active
 * administrator cannot be disabled.
 */
export async function setUserDisabled(id: string, disabled: boolean, reason?: string): Promise<"ok" | "last-admin" | "not-found"> {
  return db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext('paper-triage:admins'))`);
    const user = await tx.user.findUnique({ where: { id }, select: { role: true } });
    if (!user) return "not-found";
    if (disabled && user.role === "admin") {
      const others = await tx.user.count({ where: { role: "admin", banned: false, id: { not: id } } });
      if (others === 0) return "last-admin";
    }
    await tx.user.update({
      where: { id },
      data: disabled ? { banned: true, banReason: reason ?? "disabled by an administrator", banExpires: null } : { banned: false, banReason: null, banExpires: null },
    });
    if (disabled) await tx.session.deleteMany({ where: { userId: id } });
    return "ok";
  });
}
