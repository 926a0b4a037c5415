"use server";
// User server actions: promote/demote administrators, disable/enable accounts. The last active
// administrator can be neither demoted nor disabled (the instance would have nobody to run it).
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { withAdmin, type ActionResult } from "@/lib/admin/guard";
import { writeAudit } from "@/lib/queries/audit";
import { getUser, setUserDisabled, setUserRole } from "@/lib/queries/users";

const NO_ACCOUNT: ActionResult = { ok: false, error: "There is no such account.", status: 404 };

/** The refusal for a role or access change the database turned down, or null when it was made. */
function refusal(outcome: "ok" | "last-admin" | "not-found"): ActionResult | null {
  if (outcome === "last-admin") return { ok: false, error: "This is the last active administrator: promote someone else first.", status: 409 };
  if (outcome === "not-found") return NO_ACCOUNT;
  return null;
}

export async function changeUserRole(raw: unknown): Promise<ActionResult> {
  const input = z.object({ userId: z.string().trim().min(1).max(200), role: z.enum(["admin", "user"], { error: "The role is admin or user." }) });
  return withAdmin(input, raw, async (admin, { userId, role }) => {
    const user = await getUser(userId);
    if (!user) return NO_ACCOUNT;
    const refused = refusal(await setUserRole(userId, role));
    if (refused) return refused;
    await writeAudit({ actorId: admin.id, action: role === "admin" ? "user.promote" : "user.demote", target: user.email, details: { userId } });
    revalidatePath("/admin/users");
    return { ok: true, message: role === "admin" ? `${user.email} is now an administrator.` : `${user.email} is no longer an administrator.` };
  });
}

export async function setUserDisabledAction(raw: unknown): Promise<ActionResult> {
  const input = z.object({ userId: z.string().trim().min(1).max(200), disabled: z.boolean() });
  return withAdmin(input, raw, async (admin, { userId, disabled }) => {
    const user = await getUser(userId);
    if (!user) return NO_ACCOUNT;
    const refused = refusal(await setUserDisabled(userId, disabled));
    if (refused) return refused;
    await writeAudit({ actorId: admin.id, action: disabled ? "user.disable" : "user.enable", target: user.email, details: { userId } });
    revalidatePath("/admin/users");
    return { ok: true, message: disabled ? `${user.email} is disabled and signed out everywhere.` : `${user.email} can sign in again.` };
  });
}
