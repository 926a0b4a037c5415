// The audit log: one row per administrator action (who, what, on what, when, with details).
import type { Prisma } from "../generated/prisma/client";
import { db } from "../db";

export interface AuditEntry {
  id: string;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

export async function writeAudit(entry: { actorId: string; action: string; target?: string; details?: Record<string, unknown> }): Promise<void> {
  await db().auditLog.create({
    data: {
      actorId: entry.actorId,
      action: entry.action,
      target: entry.target ?? null,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}

/** Newest first, `limit` rows before `before` (keyset paging on created_at). */
export async function listAudit(options: { limit?: number; before?: Date; action?: string } = {}): Promise<AuditEntry[]> {
  const rows = await db().auditLog.findMany({
    where: {
      ...(options.before ? { createdAt: { lt: options.before } } : {}),
      ...(options.action ? { action: { startsWith: options.action } } : {}),
    },
    orderBy: { createdAt: "desc" },
    take: options.limit ?? 100,
    include: { actor: { select: { email: true } } },
  });
  return rows.map((r) => ({
    id: r.id,
    actorId: r.actorId,
    actorEmail: r.actor?.email ?? null,
    action: r.action,
    target: r.target,
    details: (r.details ?? {}) as Record<string, unknown>,
    createdAt: r.createdAt,
  }));
}
